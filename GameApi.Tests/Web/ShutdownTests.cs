using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;
using Microsoft.Data.Sqlite;

namespace GameApi.Tests.Web;

/// <summary>
/// SIGTERM under load, as `docker stop` sends it: every request answered 2xx or 4xx has its event on the
/// topic or in the spool (relayed at the next start); later requests get 503 or no connection; the
/// process ends within Kafka:ShutdownFlushTimeout plus a few seconds.
/// </summary>
public class ShutdownTests
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(3);

    [TestCase(false, TestName = "Sigterm_UnderLoad_EveryAnsweredEventOnTheTopic_ExitsInTime")]
    [TestCase(true, TestName = "Sigterm_UnderLoadWithKafkaDown_AnsweredEventsSpooledAndRelayedAtNextStart_ExitsInTime")]
    public async Task Sigterm_UnderLoad(bool kafkaDown)
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 4);
        var port = Ports.Free();
        string[] args = ["--urls", $"http://127.0.0.1:{port}", $"--Kafka:BootstrapServers={broker.BootstrapServers}", $"--Kafka:ShutdownFlushTimeout={FlushTimeout}"];
        using var api = ApiProcess.Start(args);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await api.WaitLiveAsync(client);

        var answers = new ConcurrentBag<(string Id, HttpStatusCode Status)>();
        var unanswered = new ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var n = w; !stop.IsCancellationRequested; n += 16)
            {
                try
                {
                    answers.Add(await TaggedRequests.SendAsync(client, n % 3 == 0 ? "/purchase_item?item=nope" : "/purchase_item?item=sword"));
                }
                catch (HttpRequestException e)
                {
                    // Refused or closed: the process is stopping or gone. Not an answer.
                    unanswered.Add(e);
                    await Task.Delay(10);
                }
            }
        })).ToArray();

        await Task.Delay(2000);
        if (kafkaDown)
        {
            broker.SetDown();
            await Task.Delay(1000);
        }

        var stopping = Stopwatch.StartNew();
        api.Terminate();
        using (var limit = new CancellationTokenSource(FlushTimeout + TimeSpan.FromSeconds(10)))
        {
            await api.Process.WaitForExitAsync(limit.Token);
        }

        var stoppedIn = stopping.Elapsed;
        await Task.Delay(500); // requests after the exit: refused
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.That(api.Process.ExitCode, Is.Zero, await api.Errors);
        Assert.That(stoppedIn, Is.LessThan(FlushTimeout + TimeSpan.FromSeconds(5)));
        Assert.That(answers.Select(a => a.Status).Distinct(), Is.SubsetOf(new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.ServiceUnavailable }));
        Assert.That(unanswered, Is.Not.Empty, "no request reached the stopped process");
        var answered = answers.Where(a => a.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest).Select(a => a.Id).ToList();
        Assert.That(answered, Has.Count.GreaterThan(500));

        var spooled = SpooledValues(api.SpoolPath);
        if (kafkaDown)
        {
            broker.SetUp();
            Assert.That(spooled, Is.Not.Empty, "nothing was spooled while Kafka was down");
        }

        var recorded = TaggedRequests.IdsOnTopic(broker.BootstrapServers);
        recorded.UnionWith(TaggedRequests.IdsIn(spooled));
        Assert.That(answered.Except(recorded), Is.Empty, "answered, but neither on the topic nor in the spool");

        // The next start relays what the spool kept.
        using var next = ApiProcess.Start(new Dictionary<string, string> { ["Spool__Path"] = api.SpoolPath }, args);
        await next.WaitLiveAsync(client);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (SpooledValues(api.SpoolPath).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.That(answered.Except(TaggedRequests.IdsOnTopic(broker.BootstrapServers)), Is.Empty, "not relayed at the next start");
    }

    // One client that sends half a request and waits held the stop for ASP.NET's default 30 s, whatever the settings.
    [Test]
    public async Task Sigterm_ClientThatNeverFinishesItsRequest_EndsWithinTheBoundTheSettingsGive()
    {
        var port = Ports.Free();
        using var api = ApiProcess.Start("--urls", $"http://127.0.0.1:{port}", "--Kafka:EmbeddedAddress=127.0.0.1:0",
            "--Spool:KafkaWait=00:00:00.100", "--Kafka:DeliveryTimeout=00:00:01", $"--Kafka:ShutdownFlushTimeout={FlushTimeout}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await api.WaitLiveAsync(client);
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, port);
        await slow.GetStream().WriteAsync("GET /purchase_item?item=sword HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        await Task.Delay(500);

        // Spool:KafkaWait + Kafka:DeliveryTimeout + 7 s for the requests, then the flush: 8.1 s + 3 s.
        var bound = TimeSpan.FromSeconds(8.1) + FlushTimeout;
        var stoppedIn = await TerminateAsync(api, bound + TimeSpan.FromSeconds(10));

        Assert.That(api.Process.ExitCode, Is.Zero, await api.Errors);
        Assert.That(stoppedIn, Is.LessThan(bound + TimeSpan.FromSeconds(2)));
    }

    // A request whose event the spool refuses waits for Kafka's answer up to Kafka:DeliveryTimeout; past
    // ASP.NET's default 30 s shutdown timeout the stop cut it off with no answer (connection reset).
    [Test]
    public async Task Sigterm_KafkaDownAndSpoolFull_DeliveryTimeoutOver30s_EveryRequestInProgressAnswered()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 1);
        var port = Ports.Free();
        var deliveryTimeout = TimeSpan.FromSeconds(35);
        using var api = ApiProcess.Start("--urls", $"http://127.0.0.1:{port}", $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:DeliveryTimeout={deliveryTimeout}", "--Spool:KafkaWait=00:00:00.100", "--Spool:MaxBytes=4096",
            $"--Kafka:ShutdownFlushTimeout={FlushTimeout}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
        await api.WaitLiveAsync(client);

        broker.SetDown();
        // Events go to the spool until it refuses one (4 KiB: about 15 events); that request waits for Kafka.
        var waiting = new List<Task<HttpResponseMessage>>();
        for (var sent = 0; waiting.Count == 0; sent++)
        {
            Assert.That(sent, Is.LessThan(100), "the spool never refused an event");
            var request = client.GetAsync("/purchase_item?item=sword");
            if (await Task.WhenAny(request, Task.Delay(2000)) == request)
            {
                using var spooled = await request;
                Assert.That(spooled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
            else
            {
                waiting.Add(request);
            }
        }

        waiting.AddRange(Enumerable.Range(0, 3).Select(_ => client.GetAsync("/purchase_item?item=sword")));
        await Task.Delay(1000);
        var stoppedIn = await TerminateAsync(api, deliveryTimeout + TimeSpan.FromSeconds(30));

        foreach (var request in waiting)
        {
            using var response = await request; // throws when the connection closed without an answer
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        Assert.That(api.Process.ExitCode, Is.Zero, await api.Errors);
        Assert.That(stoppedIn, Is.LessThan(deliveryTimeout + FlushTimeout + TimeSpan.FromSeconds(5)));
    }

    // A stop while start-up waited for Kafka waited all of Kafka:StartTimeout, then exited 1 as a failed
    // start ("Hosting failed to start" with a stack trace, "GameApi could not run: A task was canceled").
    [Test]
    public async Task Sigterm_WhileStartWaitsForKafka_EndsAtOnceWithOneLineAndExit0()
    {
        var port = Ports.Free();
        using var api = ApiProcess.Start("--urls", $"http://127.0.0.1:{port}", $"--Kafka:BootstrapServers=127.0.0.1:{Ports.Free()}",
            "--Kafka:StartTimeout=00:00:30");
        await Task.Delay(3000); // librdkafka loaded, the wait for Kafka begun
        Assert.That(api.Process.HasExited, Is.False, await ErrorsIfExited(api));

        var stoppedIn = await TerminateAsync(api, TimeSpan.FromSeconds(20));

        var output = await api.Output;
        Assert.That(api.Process.ExitCode, Is.Zero, output);
        Assert.That(stoppedIn, Is.LessThan(TimeSpan.FromSeconds(3)));
        Assert.That(await api.Errors, Is.Empty);
        Assert.That(output, Does.Contain("Stopped during start-up"));
        Assert.That(output, Does.Not.Contain("fail:").And.Not.Contain("Exception").And.Not.Contain("The API runs on"));
    }

    private static async Task<string> ErrorsIfExited(ApiProcess api) => api.Process.HasExited ? await api.Errors : "";

    /// <summary>SIGTERM, then the time the process took to end; fails the test past the limit.</summary>
    private static async Task<TimeSpan> TerminateAsync(ApiProcess api, TimeSpan limit)
    {
        var stopping = Stopwatch.StartNew();
        api.Terminate();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await api.Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The API did not end within {limit} of SIGTERM.");
        }

        return stopping.Elapsed;
    }

    private static List<string> SpooledValues(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM spool";
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
