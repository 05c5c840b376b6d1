using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

/// <summary>
/// Kafka outages with the real API: every request acknowledged with a 2xx or 4xx has its event on the
/// topic once Kafka is back, through concurrent load and through a SIGKILL of the API.
/// </summary>
public class OutageTests
{
    private const string RequestIdHeader = "X-Request-Id";
    private static readonly string[] Calls = ["/", "/purchase_item?item=sword", "/purchase_item?item=nope", "/join_guild?guild_id=4", "/join_guild"];

    private static HashSet<string> RequestIdsOnTopic(string bootstrapServers) =>
        // Header names are case-insensitive; ASP.NET Core writes this one as "X-Request-ID".
        TopicReader.ReadEvents(bootstrapServers)
            .Select(e => e.GetValue(RequestIdHeader, StringComparison.OrdinalIgnoreCase)?.Value<string>())
            .OfType<string>()
            .ToHashSet();

    private static async Task<(string Id, HttpStatusCode Status)> SendAsync(HttpClient client, int n)
    {
        var id = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, Calls[n % Calls.Length]);
        request.Headers.Add(RequestIdHeader, id);
        using var response = await client.SendAsync(request);
        return (id, response.StatusCode);
    }

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
        Assert.That(acknowledged.Except(RequestIdsOnTopic(api.Kafka.BootstrapServers)), Is.Empty);
    }

    [Test]
    public async Task KilledDuringAnOutage_RestartRelaysEverySpooledEvent()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 1);
        var spool = Path.Combine(Path.GetTempPath(), $"gameapi-spool-{Guid.NewGuid():N}", "events.db");
        var port = Ports.Free();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var started = new List<Process>();
        try
        {
            var first = await StartApiAsync(broker.BootstrapServers, spool, port, client, started);
            broker.SetDown();
            var acknowledged = new List<string>();
            for (var n = 0; n < 30; n++)
            {
                var (id, status) = await SendAsync(client, n);
                Assert.That(status, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.BadRequest));
                acknowledged.Add(id);
            }

            first.Kill(); // SIGKILL: no shutdown, no flush
            await first.WaitForExitAsync();
            broker.SetUp();

            await StartApiAsync(broker.BootstrapServers, spool, port, client, started);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var onTopic = new HashSet<string>();
            while (DateTime.UtcNow < deadline && !acknowledged.All(onTopic.Contains))
            {
                await Task.Delay(500);
                onTopic = RequestIdsOnTopic(broker.BootstrapServers);
            }

            Assert.That(acknowledged.Except(onTopic), Is.Empty);
        }
        finally
        {
            foreach (var process in started)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }

                process.Dispose();
            }

            Directory.Delete(Path.GetDirectoryName(spool)!, recursive: true);
        }
    }

    // The API as its own process, from the build output next to the tests.
    private static async Task<Process> StartApiAsync(string bootstrapServers, string spool, int port, HttpClient client, List<Process> started)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "GameApi.Web.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Kafka__BootstrapServers"] = bootstrapServers;
        start.Environment["Spool__Path"] = spool;
        start.Environment["Spool__KafkaWait"] = "00:00:00.200";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        started.Add(process); // killed by the test, whatever happens
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var ready = await client.GetAsync("/health/live");
                if (ready.IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.That(process.HasExited, Is.False, "the API exited at start");
            await Task.Delay(200);
        }

        throw new TimeoutException("The API did not start within 30 s.");
    }
}
