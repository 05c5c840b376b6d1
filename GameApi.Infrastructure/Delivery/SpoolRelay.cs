using Confluent.Kafka;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Delivery;

/// <summary>
/// Sends spooled events to Kafka in the order they were spooled and removes them only once Kafka has
/// acknowledged them. Runs from start, so whatever a previous process left in the spool goes first.
/// A spool that cannot be read or written (a full disk) is retried every second, the API serving on.
/// </summary>
public sealed partial class SpoolRelay(EventSpool spool, EventProducer producer, EventMetrics metrics, OutageLog outage, ILogger<SpoolRelay> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    // Acknowledged by Kafka but still in the spool, its removal having failed: removed before anything
    // is sent again, so a spool that cannot be written does not send the same events over and over.
    private IReadOnlyList<SpooledEvent> _toRemove = [];
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        outage.Backlog(spool.Path, spool.Count);
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = await RelayBatchAsync(stoppingToken) ? TimeSpan.Zero
                : spool.Count == 0 && spool.WriteError is null ? Idle
                : RetryAfterFailure;
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Relays the oldest batch; true when all of it was acknowledged and more may wait.</summary>
    /// <param name="stopping">Ends the wait for Kafka's acknowledgements; what was not acknowledged stays in the spool.</param>
    public async Task<bool> RelayBatchAsync(CancellationToken stopping = default)
    {
        try
        {
            var relayed = await RelayOrRemoveAsync(stopping);
            if (spool.WriteError is null)
            {
                Recovered();
            }

            return relayed;
        }
        catch (SpoolException e)
        {
            Failed(e.Message);
            return false;
        }
    }

    private async Task<bool> RelayOrRemoveAsync(CancellationToken stopping)
    {
        if (_toRemove.Count > 0)
        {
            await RemoveAsync(_toRemove);
            return true;
        }

        if (spool.Count == 0)
        {
            // A write that failed while the spool is empty would otherwise be reported until the next outage.
            await spool.ProbeAfterWriteErrorAsync();
            outage.Drained();
            return false;
        }

        var batch = await spool.ReadOldestAsync(BatchSize);
        if (batch.Count == 0)
        {
            return false;
        }

        // Sent together, acknowledged in order by the idempotent producer; only an acknowledged
        // prefix is removed, so nothing is skipped and a resend keeps the order.
        var sent = batch.Select(e => Send(e.Value)).ToArray();
        var givingUp = Task.Delay(producer.DeliveryBound, stopping);
        var acknowledged = 0;
        foreach (var delivery in sent)
        {
            if (await Task.WhenAny(delivery, givingUp) != delivery || !await delivery)
            {
                break;
            }

            acknowledged++;
        }

        // The rest are resent with the next batch: at least once, never lost.
        await Task.WhenAny(Task.WhenAll(sent), givingUp);
        metrics.Relayed(acknowledged);
        await RemoveAsync(batch.Take(acknowledged).ToList());
        return acknowledged == batch.Count;
    }

    private async Task RemoveAsync(IReadOnlyList<SpooledEvent> acknowledged)
    {
        _toRemove = acknowledged;
        await spool.RemoveAsync(acknowledged);
        _toRemove = [];
        outage.Relayed(acknowledged.Count);
    }

    private void Failed(string reason)
    {
        if (!_failing)
        {
            _failing = true;
            LogSpoolFailing(reason, RetryAfterFailure.TotalSeconds);
        }
    }

    private void Recovered()
    {
        if (_failing)
        {
            _failing = false;
            LogSpoolRecovered();
        }
    }

    private async Task<bool> Send(string value)
    {
        try
        {
            return await producer.ProduceAsync(value);
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The spool relay cannot use the spool. {Reason} Retrying every {Seconds} s; events acknowledged by Kafka stay in the spool until they can be removed, and are not sent again meanwhile.")]
    private partial void LogSpoolFailing(string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The spool relay can use the spool again.")]
    private partial void LogSpoolRecovered();
}
