using System.Collections.Concurrent;
using System.Net;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GameApi.Tests.Web;

/// <summary>
/// Kept answers outlive the process that kept them (restart, SIGKILL), work through a Kafka outage,
/// and are shared by two API processes on one Redis. Events are counted on a real topic by the key
/// each one carries (the request's headers are recorded with the event).
/// </summary>
public class IdempotencyDurabilityTests
{
    private const string Url = "/purchase_item?item=sword";

    private static async Task<(HttpStatusCode Status, string Body, bool Replayed)> SendAsync(HttpClient client, string key, string url = Url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Contains("Idempotent-Replayed"));
    }

    // Events as the analytics count them: each event_id once. (Through an outage the topic may hold an
    // event twice, with one event_id: Kafka took it after the wait ran out, and the spool sent it too.)
    private static Dictionary<string, int> EventsPerKey(string bootstrapServers) =>
        TopicReader.ReadEvents(bootstrapServers)
            .Select(e => (Key: e.GetValue("Idempotency-Key", StringComparison.OrdinalIgnoreCase)?.ToString(), Id: e["event_id"]!.ToString()))
            .Where(e => e.Key is not null)
            .GroupBy(e => e.Key!)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Id).Distinct().Count());

    [TestCase(true, TestName = "Restart_AfterSigkillFollowingTheAnswer_Replays")]
    [TestCase(false, TestName = "Restart_AfterSigtermFollowingTheAnswer_Replays")]
    public async Task Restart_AfterTheAnswer_Replays(bool sigkill)
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 1);
        var state = Directory.CreateTempSubdirectory("gameapi-keys-");
        var port = Ports.Free();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var environment = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Idempotency__Path"] = Path.Combine(state.FullName, "keys.db"),
            ["Spool__Path"] = Path.Combine(state.FullName, "spool.db"),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__GameApi.Infrastructure.Idempotency"] = "Information",
        };
        string[] args = ["--urls", $"http://127.0.0.1:{port}"];
        var key = Guid.NewGuid().ToString();
        try
        {
            using (var first = ApiProcess.Start(environment, args))
            {
                await first.WaitLiveAsync(client);
                Assert.That(await SendAsync(client, key), Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", false)));
                if (sigkill)
                {
                    first.Process.Kill(); // no shutdown: only what was synced before the answer survives
                }
                else
                {
                    first.Terminate();
                }

                await first.Process.WaitForExitAsync();
            }

            using var second = ApiProcess.Start(environment, args);
            await second.WaitLiveAsync(client);

            Assert.That(await SendAsync(client, key), Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", true)));
            Assert.That((await SendAsync(client, key, "/purchase_item?item=knife")).Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(EventsPerKey(broker.BootstrapServers), Is.EqualTo(new Dictionary<string, int> { [key] = 1 }));
            second.Terminate();
            await second.Process.WaitForExitAsync();
            Assert.That(await second.Output, Does.Contain($"Idempotency keys in {environment["Idempotency__Path"]} (answers kept: 1)"), "read at start");
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    // The embedded broker keeps events in memory only: after a restart the events of kept answers are
    // gone, and a replayed 200 would say recorded what is not. The retry is processed again instead.
    [Test]
    public async Task Restart_OnTheEmbeddedBroker_EarlierAnswersForgotten_RetryRecordedAgain()
    {
        var state = Directory.CreateTempSubdirectory("gameapi-keys-");
        var settings = new Dictionary<string, string?> { ["Idempotency:Path"] = Path.Combine(state.FullName, "keys.db") };
        var key = Guid.NewGuid().ToString();
        try
        {
            using (var first = new GameApiFactory(settings))
            using (var client = first.CreateClient())
            {
                Assert.That(await SendAsync(client, key), Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", false)));
                Assert.That(await SendAsync(client, key), Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", true)), "replayed while its event is there");
            }

            using var second = new GameApiFactory(settings, services => services.AddFakeLogging());
            using var secondClient = second.CreateClient();

            Assert.That(await SendAsync(secondClient, key), Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", false)));
            Assert.That(await SendAsync(secondClient, key), Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", true)));
            Assert.That(EventsPerKey(second.Kafka.BootstrapServers), Is.EqualTo(new Dictionary<string, int> { [key] = 1 }), "the retry's event is on the new broker");
            Assert.That(second.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message),
                Has.Some.StartsWith("Forgot the 1 Idempotency-Key answers an earlier run kept"));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    [Test]
    public async Task KafkaOutage_KeptAndReplayedThroughTheSpool_OneEventOnTheTopic()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Spool:KafkaWait"] = "00:00:00.200" });
        using var client = api.CreateClient();
        var key = Guid.NewGuid().ToString();

        api.Kafka.Embedded!.SetDown();
        var first = await SendAsync(client, key);
        var repeat = await SendAsync(client, key);
        var spooled = api.Spool.Count;
        api.Kafka.Embedded.SetUp();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (api.Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.That(first, Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", false)));
        Assert.That(repeat, Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", true)));
        Assert.That(spooled, Is.EqualTo(1));
        Assert.That(EventsPerKey(api.Kafka.BootstrapServers), Is.EqualTo(new Dictionary<string, int> { [key] = 1 }));
    }

    [Test]
    public async Task TwoInstancesOnOneRedis_KeysSharedAndConcurrentDuplicatesMakeOneEvent()
    {
        using var redis = await RedisServer.StartAsync();
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 4);
        var environment = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Idempotency__Redis"] = redis.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var ports = new[] { Ports.Free(), Ports.Free() };
        using var a = ApiProcess.Start(environment, "--urls", $"http://127.0.0.1:{ports[0]}");
        using var b = ApiProcess.Start(environment, "--urls", $"http://127.0.0.1:{ports[1]}");
        using var clientA = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(10) };
        using var clientB = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[1]}"), Timeout = TimeSpan.FromSeconds(10) };
        await a.WaitLiveAsync(clientA);
        await b.WaitLiveAsync(clientB);

        var shared = Guid.NewGuid().ToString();
        var onA = await SendAsync(clientA, shared);
        var onB = await SendAsync(clientB, shared);
        var otherOnB = await SendAsync(clientB, shared, "/join_guild?guild_id=3");

        var keys = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString()).ToList();
        var answers = new ConcurrentBag<(string Key, HttpStatusCode Status, bool Replayed)>();
        await Parallel.ForEachAsync(keys.SelectMany(k => Enumerable.Range(0, 10).Select(i => (Key: k, Client: i % 2 == 0 ? clientA : clientB))),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (call, _) =>
            {
                var (status, _, replayed) = await SendAsync(call.Client, call.Key);
                answers.Add((call.Key, status, replayed));
            });

        Assert.That(onA, Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", false)));
        Assert.That(onB, Is.EqualTo((HttpStatusCode.OK, "\nBought sword\n", true)), "replayed by the other instance");
        Assert.That(otherOnB.Status, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(answers.Select(x => x.Status), Is.All.AnyOf(HttpStatusCode.OK, HttpStatusCode.Conflict));
        Assert.That(keys.Select(k => answers.Count(x => x.Key == k && x is { Status: HttpStatusCode.OK, Replayed: false })), Is.All.EqualTo(1), "each key processed once");
        var expected = keys.Append(shared).ToDictionary(k => k, _ => 1);
        Assert.That(EventsPerKey(broker.BootstrapServers), Is.EqualTo(expected));
    }
}
