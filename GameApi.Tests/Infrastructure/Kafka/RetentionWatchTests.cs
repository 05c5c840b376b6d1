using System.Diagnostics;
using Confluent.Kafka;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GameApi.Tests.Infrastructure.Kafka;

/// <summary>
/// The embedded broker drops a partition's oldest batches past 5 MiB without a word; the API says so
/// within 10 s of the first drop, also while requests keep it busy.
/// </summary>
public class RetentionWatchTests
{
    [Test]
    public async Task EmbeddedBrokerDropsEvents_UnderFullLoad_WarnsWithin10Seconds()
    {
        using var api = new GameApiFactory(
            new Dictionary<string, string?> { ["Kafka:Partitions"] = "1" },
            services => services.AddFakeLogging());
        using var client = api.CreateClient();
        var logs = api.Services.GetFakeLogCollector();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = api.Kafka.BootstrapServers, GroupId = "retention-test" }).Build();
        var partition = new TopicPartition("events", 0);

        // Random bytes do not compress: 16 KB a request crosses the 5 MiB cap in a few hundred requests.
        var padding = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12 * 1024));
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_item?item=sword");
                request.Headers.Add("X-Padding", padding);
                using var response = await client.SendAsync(request);
            }
        })).ToArray();

        try
        {
            var deadline = Stopwatch.StartNew();
            while (consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(5)).Low.Value == 0)
            {
                Assert.That(deadline.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the broker dropped nothing");
                await Task.Delay(200);
            }

            var firstDropSeen = Stopwatch.StartNew();
            while (!Warned(logs) && firstDropSeen.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }

            Assert.That(Warned(logs), Is.True, "no warning within 10 s of the first drop");
            Assert.That(workers.Where(w => w.IsFaulted), Is.Empty, "the load stopped early");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        var warning = logs.GetSnapshot().Single(r => r.Message.Contains("dropped the oldest", StringComparison.Ordinal));
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("of topic 'events' (1 of its 1 partitions were full)"));

        // The load has stopped: within a few ticks the gauge reads what the partition lost, its first offset.
        var lost = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(5)).Low.Value;
        long? gauge = null;
        for (var wait = Stopwatch.StartNew(); gauge != lost && wait.Elapsed < TimeSpan.FromSeconds(15); await Task.Delay(200))
        {
            gauge = await DroppedGaugeAsync(client);
        }

        Assert.That(gauge, Is.EqualTo(lost), "gameapi_embedded_broker_dropped");
    }

    private static async Task<long?> DroppedGaugeAsync(HttpClient client)
    {
        var line = (await client.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith("gameapi_embedded_broker_dropped", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Warned(Microsoft.Extensions.Logging.Testing.FakeLogCollector logs) =>
        logs.GetSnapshot().Any(r => r.Message.Contains("dropped the oldest", StringComparison.Ordinal));
}
