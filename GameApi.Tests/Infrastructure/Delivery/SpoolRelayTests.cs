using System.Diagnostics;
using GameApi.Domain.Events;
using GameApi.Tests.Support;

namespace GameApi.Tests.Infrastructure.Delivery;

public class SpoolRelayTests
{
    [Test]
    public async Task Stop_DuringAnOutage_ReturnsPromptlyAndKeepsTheBacklog()
    {
        // Deliveries that would take 30 s to fail: a relay that waited for them, not for its stop, shows.
        using var fixture = new SpoolFixture(deliveryTimeoutSeconds: 30);
        fixture.Connection.Embedded!.SetDown();
        for (var i = 0; i < 5; i++)
        {
            await fixture.Logger.LogAsync(new GameEvent(Guid.NewGuid(), DateTimeOffset.UtcNow, "default", [], ClientMetadata.Empty), CancellationToken.None);
        }

        await fixture.Relay.StartAsync(CancellationToken.None);
        await Task.Delay(500); // the relay is trying, and failing
        var clock = Stopwatch.StartNew();
        await fixture.Relay.StopAsync(CancellationToken.None);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "stopped, not waiting out the deliveries");
        Assert.That(fixture.Spool.Count, Is.EqualTo(5), "nothing removed that Kafka did not acknowledge");
    }

    [Test]
    public async Task Start_WithABacklogFromBefore_RelaysIt()
    {
        using var fixture = new SpoolFixture();
        await fixture.Spool.AppendAsync("""{"event_type":"default","event_id":"left-by-a-previous-process"}""");

        await fixture.Relay.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (fixture.Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await fixture.Relay.StopAsync(CancellationToken.None);
        Assert.That(fixture.Topic(), Has.One.Contains("left-by-a-previous-process"));
    }

    // A spool whose removals fail (a full disk; here another process's write lock): the relay keeps
    // running, and what Kafka acknowledged is removed once it can be, not sent again meanwhile.
    [Test]
    public async Task RemovalFails_NotSentAgain_RemovedOnceTheSpoolCanBeWritten()
    {
        using var fixture = new SpoolFixture();
        await fixture.Spool.AppendAsync("""{"event_type":"default","event_id":"relayed-once"}""");

        using (SqliteWriteLock.Hold(fixture.Spool.Path))
        {
            Assert.That(await fixture.Relay.RelayBatchAsync(), Is.False, "sent, but not removed");
            Assert.That(fixture.Spool.Count, Is.EqualTo(1));
            Assert.That(fixture.Spool.WriteError, Does.Contain("cannot be written"));
        }

        Assert.That(await fixture.Relay.RelayBatchAsync(), Is.True);
        Assert.That(await fixture.Relay.RelayBatchAsync(), Is.False, "nothing left");

        Assert.That(fixture.Spool.Count, Is.Zero);
        Assert.That(fixture.Spool.WriteError, Is.Null);
        Assert.That(fixture.Topic().Count(r => r.Contains("relayed-once", StringComparison.Ordinal)), Is.EqualTo(1));
    }
}
