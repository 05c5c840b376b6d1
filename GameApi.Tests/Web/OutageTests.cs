using System.Collections.Concurrent;
using System.Net;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;

namespace GameApi.Tests.Web;

/// <summary>
/// Kafka outages with the real API: every request acknowledged with a 2xx or 4xx has its event on the
/// topic once Kafka is back, through concurrent load and through a SIGKILL of the API.
/// </summary>
public class OutageTests
{
    private static readonly string[] Calls = ["/", "/purchase_item?item=sword", "/purchase_item?item=nope", "/join_guild?guild_id=4", "/join_guild"];

    private static Task<(string Id, HttpStatusCode Status)> SendAsync(HttpClient client, int n) =>
        TaggedRequests.SendAsync(client, Calls[n % Calls.Length]);

    [Test]
    public async Task OutageDuringConcurrentLoad_EveryAcknowledgedEventReachesTheTopic()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Spool:KafkaWait"] = "00:00:00.200" });
        using var client = api.CreateClient();
        var answers = new ConcurrentBag<(string Id, HttpStatusCode Status)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var n = w; !stop.IsCancellationRequested; n += 16)
            {
                answers.Add(await SendAsync(client, n));
            }
        })).ToArray();

        await Task.Delay(1000);
        api.Kafka.Embedded!.SetDown();
        await Task.Delay(2000);
        api.Kafka.Embedded.SetUp();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (api.Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var acknowledged = answers.Where(a => a.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest).Select(a => a.Id).ToList();
        Assert.That(answers.Where(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.BadRequest)), Is.Empty, "the spool answers while Kafka is down");
        Assert.That(api.Spool.Count, Is.EqualTo(0), "relayed after the outage");
        Assert.That(acknowledged, Has.Count.GreaterThan(100));
        Assert.That(acknowledged.Except(TaggedRequests.IdsOnTopic(api.Kafka.BootstrapServers)), Is.Empty);
    }

    [Test]
    public async Task KilledDuringAnOutage_RestartRelaysEverySpooledEvent()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 1);
        var port = Ports.Free();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var environment = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Spool__KafkaWait"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        string[] args = ["--urls", $"http://127.0.0.1:{port}"];

        using var first = ApiProcess.Start(environment, args);
        await first.WaitLiveAsync(client);
        broker.SetDown();
        var acknowledged = new List<string>();
        for (var n = 0; n < 30; n++)
        {
            var (id, status) = await SendAsync(client, n);
            Assert.That(status, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.BadRequest));
            acknowledged.Add(id);
        }

        first.Process.Kill(); // SIGKILL: no shutdown, no flush
        await first.Process.WaitForExitAsync();
        broker.SetUp();

        using var second = ApiProcess.Start(new Dictionary<string, string>(environment) { ["Spool__Path"] = first.SpoolPath }, args);
        await second.WaitLiveAsync(client);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var onTopic = new HashSet<string>();
        while (DateTime.UtcNow < deadline && !acknowledged.All(onTopic.Contains))
        {
            await Task.Delay(500);
            onTopic = TaggedRequests.IdsOnTopic(broker.BootstrapServers);
        }

        Assert.That(acknowledged.Except(onTopic), Is.Empty);
    }
}
