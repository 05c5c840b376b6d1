using GameApi.Infrastructure.Delivery;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Infrastructure.Delivery;

public class OutageLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<(LogLevel Level, string Message)> _lines = [];
    private OutageLog _log = null!;

    [SetUp]
    public void SetUp()
    {
        _lines.Clear();
        _log = new OutageLog(_time, new ListLogger(_lines));
    }

    private sealed class ListLogger(List<(LogLevel, string)> lines) : ILogger<OutageLog>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add((logLevel, formatter(state, exception)));
    }

    // A process that starts with its predecessor's backlog is in an outage until it is relayed: the gauge
    // and the alert on it must say so before any new event is spooled.
    [Test]
    public void ABacklogAtStart_AnOutageUntilDrained()
    {
        _log.Backlog("/spool/events.db", 0);
        Assert.That(_log.InOutage, Is.False, "nothing waiting: no outage");

        _log.Backlog("/spool/events.db", 1028);
        _log.Spooled("/spool/events.db", 1029);

        Assert.That(_log.InOutage, Is.True);
        Assert.That(_lines.Select(l => l.Message), Has.Exactly(1).Contains("holds 1028 events from before this process started"));
        Assert.That(_lines.Select(l => l.Message), Has.None.Contains("events are not acknowledged"), "the same outage, not a second start");
        _log.Drained();
        Assert.That(_log.InOutage, Is.False);
    }

    [Test]
    public void AnOutage_OneLineToStartRateLimitedRemindersOneLineToEnd()
    {
        for (var i = 0; i < 100; i++)
        {
            _log.Spooled("/spool/events.db", i);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _log.Relayed(60);
        _log.Relayed(40);
        _log.Drained();
        _log.Drained();

        Assert.That(_lines.Select(l => l.Message), Has.Exactly(1).Contains("Kafka outage: events are not acknowledged"));
        Assert.That(_lines.Select(l => l.Message), Has.Exactly(3).Contains("Kafka outage continues"), "one every 30 s over 100 s");
        Assert.That(_lines.Last().Message, Does.Contain("ended after 00:01:40").And.Contain("relayed 100 events"));
        Assert.That(_lines, Has.Count.EqualTo(5));
    }

    [Test]
    public void Drained_WithoutAnOutage_SaysNothing()
    {
        _log.Drained();

        Assert.That(_lines, Is.Empty);
    }
}
