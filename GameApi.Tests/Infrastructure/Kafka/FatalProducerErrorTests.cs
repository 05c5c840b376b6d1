using System.Collections.Concurrent;
using System.Net;
using Confluent.Kafka;
using GameApi.Infrastructure.Kafka;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Infrastructure.Kafka;

/// <summary>
/// A fatal error of the idempotent producer: the API replaces the producer without a restart, says so
/// once, stays degraded until the new one delivers, and loses no acknowledged event.
/// </summary>
public class FatalProducerErrorTests
{
    [Test]
    public async Task FatalError_ProducerReplaced_DegradedUntilItDelivers_NoEventLost()
    {
        using var api = new GameApiFactory(services: services => services.AddFakeLogging());
        using var client = api.CreateClient();
        var producer = api.Services.GetRequiredService<EventProducer>();
        var logs = api.Services.GetFakeLogCollector();
        var acknowledged = new ConcurrentBag<string>();
        Assert.That(await SendAsync(client, acknowledged), Is.EqualTo(HttpStatusCode.OK));

        // Quiet: nothing is produced after the error, so the replacement has not delivered yet.
        var failed = producer.Handle;
        Assert.That(FatalErrors.Raise(failed, ErrorCode.OutOfOrderSequenceNumber, "first"), Is.EqualTo(ErrorCode.NoError));
        await WaitForAsync(() => CriticalLines(logs).Count == 1);
        Assert.That(CriticalLines(logs).Single(), Does.Contain("fatal error").And.Contain("first"));
        Assert.That(producer.Handle, Is.Not.SameAs(failed));
        var (status, description) = await KafkaReadinessAsync(client);
        Assert.That(status, Is.EqualTo("Degraded"));
        Assert.That(description, Does.Contain("fatal error"));

        Assert.That(await SendAsync(client, acknowledged), Is.EqualTo(HttpStatusCode.OK));
        await WaitForAsync(async () => (await KafkaReadinessAsync(client)).Status == "Healthy");

        // Under load: requests in flight on the failing producer spool their events; none is lost.
        using var stop = new CancellationTokenSource();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                statuses.Add(await SendAsync(client, acknowledged));
            }
        })).ToArray();
        await Task.Delay(500);
        Assert.That(FatalErrors.Raise(producer.Handle, ErrorCode.OutOfOrderSequenceNumber, "second"), Is.EqualTo(ErrorCode.NoError));
        await Task.Delay(1500);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await WaitForAsync(() => api.Spool.Count == 0 && !producer.Recovering);

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(CriticalLines(logs), Has.Count.EqualTo(2));
        Assert.That((await KafkaReadinessAsync(client)).Status, Is.EqualTo("Healthy"));
        Assert.That(acknowledged.Except(TaggedRequests.IdsOnTopic(api.Kafka.BootstrapServers)), Is.Empty);
    }

    // The relay's batch is in flight on the producer that fails: those deliveries must end (failed) so the
    // relay sends them again through the new producer, instead of waiting for them for ever.
    [Test]
    public async Task FatalError_WhileTheRelaysBatchIsInFlight_RelayGoesOn_NoEventLost()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Kafka:DeliveryTimeout"] = "00:00:06" });
        using var client = api.CreateClient();
        var producer = api.Services.GetRequiredService<EventProducer>();
        var broker = api.Kafka.Embedded!;
        var acknowledged = new ConcurrentBag<string>();
        Assert.That(await SendAsync(client, acknowledged), Is.EqualTo(HttpStatusCode.OK));

        // Every answer 4 s late: each request spools its event after Spool:KafkaWait, and the relay's
        // batch of them waits in flight.
        broker.SetRoundTripTime(TimeSpan.FromSeconds(4));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.That(await SendAsync(client, acknowledged), Is.EqualTo(HttpStatusCode.OK));
            }
        })));
        Assert.That(api.Spool.Count, Is.GreaterThan(0));
        await Task.Delay(1500);
        Assert.That(FatalErrors.Raise(producer.Handle, ErrorCode.OutOfOrderSequenceNumber, "in flight"), Is.EqualTo(ErrorCode.NoError));
        await Task.Delay(500);
        broker.SetRoundTripTime(TimeSpan.Zero);

        await WaitForAsync(() => api.Spool.Count == 0 && !producer.Recovering);
        Assert.That(acknowledged.Except(TaggedRequests.IdsOnTopic(api.Kafka.BootstrapServers)), Is.Empty);
    }

    private static List<string> CriticalLines(FakeLogCollector logs) =>
        logs.GetSnapshot().Where(r => r.Level == LogLevel.Critical).Select(r => r.Message).ToList();

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, ConcurrentBag<string> acknowledged)
    {
        var (id, status) = await TaggedRequests.SendAsync(client, "/purchase_item?item=sword");
        if ((int)status is >= 200 and < 300)
        {
            acknowledged.Add(id);
        }

        return status;
    }

    private static async Task<(string? Status, string? Description)> KafkaReadinessAsync(HttpClient client)
    {
        using var ready = await client.GetAsync("/health/ready");
        var kafka = JObject.Parse(await ready.Content.ReadAsStringAsync())["checks"]!["kafka"]!;
        return ((string?)kafka["status"], (string?)kafka["description"]);
    }

    private static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "not within 20 s");
            await Task.Delay(100);
        }
    }
}
