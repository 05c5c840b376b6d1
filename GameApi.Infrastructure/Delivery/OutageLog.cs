using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Delivery;

/// <summary>
/// One log line when Kafka stops acknowledging, one at most every 30 s while it lasts, and one when the
/// spool has been relayed, instead of a line per event.
/// </summary>
public sealed partial class OutageLog(TimeProvider time, ILogger<OutageLog> logger)
{
    private static readonly TimeSpan Reminder = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private DateTimeOffset? _since;
    private DateTimeOffset _lastReminder;
    private long _relayed;

    public bool InOutage
    {
        get
        {
            lock (_gate)
            {
                return _since is not null;
            }
        }
    }

    /// <summary>An event went to the spool.</summary>
    public void Spooled(string spoolPath, long backlog)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_since is null)
            {
                _since = now;
                _lastReminder = now;
                _relayed = 0;
                LogStarted(spoolPath);
            }
            else if (now - _lastReminder >= Reminder)
            {
                _lastReminder = now;
                var duration = now - _since.Value;
                LogContinues(duration, backlog);
            }
        }
    }

    /// <summary>
    /// The spool held events when the process started (an outage the previous process did not see
    /// end): the outage goes on until they are relayed, and new events queue behind them meanwhile.
    /// </summary>
    public void Backlog(string spoolPath, long backlog)
    {
        lock (_gate)
        {
            if (_since is null && backlog > 0)
            {
                _since = time.GetUtcNow();
                _lastReminder = _since.Value;
                _relayed = 0;
                LogBacklog(backlog, spoolPath);
            }
        }
    }

    public void Relayed(int count)
    {
        lock (_gate)
        {
            _relayed += count;
        }
    }

    /// <summary>The spool is empty again.</summary>
    public void Drained()
    {
        lock (_gate)
        {
            if (_since is { } since)
            {
                var duration = time.GetUtcNow() - since;
                LogEnded(duration, _relayed);
                _since = null;
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Kafka outage: events are not acknowledged in time; they are kept in the spool at {SpoolPath} and relayed when Kafka answers")]
    private partial void LogStarted(string spoolPath);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Kafka outage: the spool at {SpoolPath} holds {Backlog} events from before this process started; new events queue behind them until they are relayed")]
    private partial void LogBacklog(long backlog, string spoolPath);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Kafka outage continues after {Duration}: {Backlog} events in the spool")]
    private partial void LogContinues(TimeSpan duration, long backlog);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Kafka outage ended after {Duration}: relayed {Relayed} events from the spool")]
    private partial void LogEnded(TimeSpan duration, long relayed);
}
