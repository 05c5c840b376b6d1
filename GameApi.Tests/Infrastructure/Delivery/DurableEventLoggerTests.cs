using System.Diagnostics;
using Confluent.Kafka;
using GameApi.Domain.Events;
using GameApi.Infrastructure.Delivery;
using GameApi.Tests.Support;

namespace GameApi.Tests.Infrastructure.Delivery;

/// <summary>The durable logger against a real Kafka-protocol broker (the embedded one, on a free port).</summary>
public class DurableEventLoggerTests
{
    private SpoolFixture _fixture = null!;

    [SetUp]
    public async Task SetUp()
    {
        _fixture = new SpoolFixture();
        await ConnectedAsync();
    }

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private static GameEvent NewEvent(string item = "knife") => new(
        Guid.NewGuid(), DateTimeOffset.UtcNow, "purchase_item", [new EventField("item", item)],
        ClientMetadata.From([KeyValuePair.Create("User-Agent", (IEnumerable<string?>)["tests"])]));

    // One event through: the producer has connected and has its producer id.
    private async Task ConnectedAsync()
    {
        await _fixture.Logger.LogAsync(NewEvent("warm-up"), CancellationToken.None);
        await _fixture.DrainAsync(TimeSpan.FromSeconds(10));
    }

    private List<string> EventsAfterWarmUp() => _fixture.Topic().Where(v => !v.Contains("warm-up", StringComparison.Ordinal)).ToList();

    [Test]
    public void LogAsync_CancelledBeforeItStarts_NothingRecorded()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(() => _fixture.Logger.LogAsync(NewEvent("cancelled"), cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_fixture.Spool.Count, Is.Zero);
        Assert.That(EventsAfterWarmUp(), Is.Empty);
    }

    [Test]
    public async Task LogAsync_CancelledWhileKafkaIsWaitedFor_StillRecorded()
    {
        // Once handed on, an event is recorded whatever the caller does: Kafka may take it anyway.
        _fixture.Connection.Embedded!.SetDown();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await _fixture.Logger.LogAsync(NewEvent("cancelled-late"), cancel.Token);

        Assert.That(cancel.IsCancellationRequested, Is.True);
        Assert.That(_fixture.Spool.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task LogAsync_BrokerUp_OnTheTopicNothingSpooled()
    {
        var sent = NewEvent();

        await _fixture.Logger.LogAsync(sent, CancellationToken.None);

        Assert.That(EventsAfterWarmUp(), Is.EqualTo(new[] { EventJsonSerializer.Serialize(sent) }));
        Assert.That(_fixture.Spool.Count, Is.EqualTo(0));
    }

    [Test]
    public async Task LogAsync_TransientProduceErrorsWithinTheWait_RetriedWithoutDuplicates()
    {
        _fixture.Dispose();
        _fixture = new SpoolFixture(kafkaWaitMs: 5000);
        await ConnectedAsync();
        _fixture.Connection.Embedded!.FailNextProduceRequests(ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);
        var sent = NewEvent();

        await _fixture.Logger.LogAsync(sent, CancellationToken.None);

        Assert.That(_fixture.Spool.Count, Is.EqualTo(0));
        Assert.That(EventsAfterWarmUp(), Is.EqualTo(new[] { EventJsonSerializer.Serialize(sent) }));
    }

    [Test]
    public async Task LogAsync_RetriesPastTheWait_SpooledAndAtLeastOnceWithTheSameEventId()
    {
        _fixture.Connection.Embedded!.FailNextProduceRequests(ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);
        var sent = NewEvent();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _fixture.Logger.LogAsync(sent, CancellationToken.None);
        var answeredIn = clock.Elapsed;

        // librdkafka retries after 100, 200 and 400 ms (exponential backoff, +-20%): the third retry lands past the wait.
        Assert.That(_fixture.Spool.Count, Is.EqualTo(1), "spooled, since Kafka had not acknowledged within the wait");
        Assert.That(answeredIn, Is.LessThan(_fixture.Options.KafkaWait + TimeSpan.FromSeconds(1)), "answered after the wait, not after Kafka's retries");
        await _fixture.DrainAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500); // the producer's own retry may land after the relay

        var copies = EventsAfterWarmUp();
        Assert.That(copies, Is.Not.Empty);
        Assert.That(copies, Has.All.EqualTo(EventJsonSerializer.Serialize(sent)));
    }

    [Test]
    public async Task LogAsync_BrokerDown_SpooledWithinTheWaitThenRelayedInOrder()
    {
        _fixture.Connection.Embedded!.SetDown();
        var sent = Enumerable.Range(0, 20).Select(i => NewEvent($"item-{i:00}")).ToList();
        var clock = Stopwatch.StartNew();

        foreach (var e in sent)
        {
            await _fixture.Logger.LogAsync(e, CancellationToken.None);
        }

        Assert.That(clock.Elapsed, Is.LessThan(_fixture.Options.KafkaWait + TimeSpan.FromSeconds(1)), "only the first waits for Kafka");
        Assert.That(_fixture.Spool.Count, Is.EqualTo(20));
        Assert.That(_fixture.Outage.InOutage, Is.True);

        _fixture.Connection.Embedded.SetUp();
        await _fixture.DrainAsync(TimeSpan.FromSeconds(30));

        Assert.That(_fixture.Spool.Count, Is.EqualTo(0));
        Assert.That(_fixture.Outage.InOutage, Is.True, "until the relay sees the spool empty");
        await _fixture.Relay.RelayBatchAsync();
        Assert.That(_fixture.Outage.InOutage, Is.False);
        // The first event may also arrive from the producer itself once the broker is back (same event_id).
        var relayed = EventsAfterWarmUp().Distinct().ToList();
        Assert.That(relayed, Is.EqualTo(sent.Select(EventJsonSerializer.Serialize)));
    }

    [Test]
    public async Task LogAsync_WhileTheSpoolHoldsEvents_NewEventsQueueBehindThem()
    {
        _fixture.Connection.Embedded!.SetDown();
        await _fixture.Logger.LogAsync(NewEvent("first"), CancellationToken.None);
        _fixture.Connection.Embedded.SetUp();

        await _fixture.Logger.LogAsync(NewEvent("second"), CancellationToken.None);

        Assert.That(_fixture.Spool.Count, Is.EqualTo(2), "the broker is back, but 'second' must not overtake 'first'");
        await _fixture.DrainAsync(TimeSpan.FromSeconds(30));
        var items = EventsAfterWarmUp().Distinct().Select(v => Newtonsoft.Json.Linq.JObject.Parse(v)["item"]!.ToString()).ToList();
        Assert.That(items, Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public void LogAsync_BrokerDownAndSpoolUnwritable_NotRecorded()
    {
        using var blocker = new TempFile();
        using var fixture = new SpoolFixture(spoolPath: Path.Combine(blocker.Path, "events.db"));
        fixture.Connection.Embedded!.SetDown();

        Assert.That(fixture.Spool.Error, Does.Contain(blocker.Path));
        Assert.ThrowsAsync<EventNotRecordedException>(() => fixture.Logger.LogAsync(NewEvent(), CancellationToken.None));
    }

    // The 503 says nothing was recorded: that must be true of Kafka as well as of the spool.
    [Test]
    public async Task LogAsync_SpoolUnwritable_KafkaAnswersAfterTheWait_RecordedOnKafka()
    {
        using var blocker = new TempFile();
        using var fixture = new SpoolFixture(spoolPath: Path.Combine(blocker.Path, "events.db"), kafkaWaitMs: 100);
        await fixture.Logger.LogAsync(NewEvent("warm-up"), CancellationToken.None);
        fixture.Connection.Embedded!.SetRoundTripTime(TimeSpan.FromMilliseconds(600));

        await fixture.Logger.LogAsync(NewEvent("late"), CancellationToken.None);

        Assert.That(fixture.Spool.Error, Is.Not.Null);
        Assert.That(fixture.Topic().Count(v => v.Contains("\"late\"", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    // Relayed events that a full disk will not let the relay delete keep the spool non-empty: while Kafka
    // answers, new events go to it rather than 503 for every request.
    [Test]
    public async Task LogAsync_SpoolHoldsEventsAndIsFull_KafkaBack_RecordedOnKafka()
    {
        using var fixture = new SpoolFixture(maxBytes: 4096);
        await fixture.Logger.LogAsync(NewEvent("warm-up"), CancellationToken.None);
        fixture.Connection.Embedded!.SetDown();
        // Until the spool refuses one (then Kafka, down, has not recorded it either).
        Assert.That(async () =>
        {
            while (true)
            {
                await fixture.Logger.LogAsync(NewEvent("queued"), CancellationToken.None);
            }
        }, Throws.InstanceOf<EventNotRecordedException>());

        fixture.Connection.Embedded.SetUp();
        await fixture.Logger.LogAsync(NewEvent("while-full"), CancellationToken.None);

        Assert.That(fixture.Spool.Count, Is.GreaterThan(0), "the queued events are still in the spool");
        Assert.That(fixture.Topic().Count(v => v.Contains("\"while-full\"", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    /// <summary>A regular file: nothing can be created "under" it, whoever runs the tests (root included).</summary>
    private sealed class TempFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.GetTempFileName();

        public void Dispose() => File.Delete(Path);
    }
}
