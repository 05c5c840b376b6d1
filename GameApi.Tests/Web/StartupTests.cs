using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

public class StartupTests
{
    [Test]
    public async Task Start_KafkaUnreachable_RunsOnTheSpoolAndDeliversOnceKafkaAnswers()
    {
        var address = $"127.0.0.1:{Ports.Free()}";
        using var factory = new GameApiFactory(
            new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = address,
                ["Kafka:StartTimeout"] = "00:00:00.500",
                ["Logging:LogLevel:GameApi.Infrastructure.Kafka.KafkaStartup"] = "Information",
            },
            services => services.AddFakeLogging());
        using var client = factory.CreateClient();

        using (var purchase = await client.GetAsync("/purchase_item?item=sword"))
        {
            Assert.That(purchase.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(await KafkaStatusAsync(client), Is.EqualTo("Degraded"));
        Assert.That(factory.Spool.Count, Is.EqualTo(1));
        var logs = factory.Services.GetFakeLogCollector();
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.Some.StartsWith("Could not check or create topic 'events' at " + address));
        // librdkafka reports each failed connection attempt, several a second: one line for them.
        Assert.That(logs.GetSnapshot().Count(r => r.Message.StartsWith("Kafka producer: Local_Transport", StringComparison.Ordinal)), Is.EqualTo(1));

        using var broker = EmbeddedKafkaBroker.Start(address);
        broker.CreateTopic("events", 1);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((factory.Spool.Count > 0 || !logs.GetSnapshot().Any(r => r.Message.StartsWith("Topic 'events' is ready", StringComparison.Ordinal)))
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.That(factory.Spool.Count, Is.Zero, "the spooled event was not relayed");
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.Some.StartsWith("Topic 'events' is ready"));
        // At least once: the first produce may still land after the broker came up, next to the relayed copy.
        var events = TopicReader.ReadEvents(address);
        Assert.That(events.Select(e => (string?)e["item"]).Distinct(), Is.EqualTo(new[] { "sword" }));
        Assert.That(events.Select(e => (string?)e["event_id"]).Distinct().Count(), Is.EqualTo(1));
        Assert.That(await KafkaStatusAsync(client), Is.EqualTo("Healthy"));
    }

    // Two instances on one machine with one spool folder (a setting forgotten): the second would send the
    // first's spooled events again. It serves while Kafka answers, and readiness says why it is not ready.
    [Test]
    public async Task Start_SpoolOfAnotherRunningInstance_SecondNotReadyNamingTheSetting()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 1);
        var ports = new[] { Ports.Free(), Ports.Free() };
        using var first = ApiProcess.Start(new Dictionary<string, string> { ["Kafka__BootstrapServers"] = broker.BootstrapServers }, "--urls", $"http://127.0.0.1:{ports[0]}");
        using var firstClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}") };
        await first.WaitLiveAsync(firstClient);
        var shared = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Spool__Path"] = first.SpoolPath,
            ["Idempotency__Path"] = Path.Combine(Path.GetDirectoryName(first.SpoolPath)!, "keys.db"),
        };
        using var second = ApiProcess.Start(shared, "--urls", $"http://127.0.0.1:{ports[1]}");
        using var secondClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[1]}") };
        await second.WaitLiveAsync(secondClient);

        using var ready = await secondClient.GetAsync("/health/ready");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain($"The spool at {first.SpoolPath} cannot be opened: another process uses it (probably another API instance: each needs its own Spool:Path)"));
        Assert.That(body, Does.Contain("each needs its own Idempotency:Path"));
        using (var firstReady = await firstClient.GetAsync("/health/ready"))
        {
            Assert.That(firstReady.StatusCode, Is.EqualTo(HttpStatusCode.OK), await firstReady.Content.ReadAsStringAsync());
        }

        using var purchase = await secondClient.GetAsync("/purchase_item?item=sword");
        Assert.That(purchase.StatusCode, Is.EqualTo(HttpStatusCode.OK), "served while Kafka answers");
    }

    [Test]
    public void Start_MisspeltKey_WarnsNamingTheKeyMeant()
    {
        using var factory = new GameApiFactory(
            new Dictionary<string, string?> { ["Kafka:BootstrapServer"] = "127.0.0.1:1" },
            services => services.AddFakeLogging());
        using var client = factory.CreateClient(); // starts the host

        var warnings = factory.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message);
        Assert.That(warnings, Has.Member("The setting Kafka:BootstrapServer is unknown and ignored; did you mean Kafka:BootstrapServers?"));
    }

    // A failed start is shown with the API as its own process, as an operator starts it. WebApplicationFactory
    // cannot show one reliably: its deferred host races the app's disposal of the failed host and
    // sometimes reports ObjectDisposedException instead of the validation error.
    [TestCase("Kafka:Topic", "not a topic")]
    [TestCase("Kafka:Partitions", "0")]
    [TestCase("Kafka:DeliveryTimeout", "00:00:00")]
    [TestCase("Kafka:DeliveryTimeout", "10s")]
    [TestCase("Idempotency:Retention", "00:00:01")]
    [TestCase("Idempotency:MaxKeys", "0")]
    [TestCase("Spool:Path", "/")]
    [TestCase("Kafka:BootstrapServers", ",,,")]
    public async Task Start_BadSetting_ExitsNamingTheKey(string key, string value)
    {
        using var api = ApiProcess.Start("--urls", "http://127.0.0.1:0", $"--{key}={value}");
        await WaitForExitAsync(api);

        Assert.That(api.Process.ExitCode, Is.EqualTo(1));
        var errors = await api.Errors;
        Assert.That(errors, Does.StartWith($"GameApi could not run: {key} must"));
        Assert.That(errors.TrimEnd().Split('\n'), Has.Length.EqualTo(1), errors);
        Assert.That(await api.Output, Does.Not.Contain("Exception").And.Not.Contain("   at "), "a stack trace");
    }

    // Before, the first options class resolved stopped the start alone, after a stack trace.
    [Test]
    public async Task Start_BadSettingsInEverySection_ExitsWithALinePerProblemAndNoStackTrace()
    {
        using var api = ApiProcess.Start("--urls", "http://127.0.0.1:0", "--Kafka:DeliveryTimeout=10s", "--Spool:MaxBytes=1GB", "--Idempotency:MaxKeys=0");
        await WaitForExitAsync(api);

        Assert.That(api.Process.ExitCode, Is.EqualTo(1));
        Assert.That((await api.Errors).TrimEnd().Split('\n'), Is.EqualTo(new[]
        {
            "GameApi could not run: Kafka:DeliveryTimeout must be a duration written [d.]hh:mm:ss[.fff] (10 seconds: 00:00:10, 500 ms: 00:00:00.500, 2 days: 2.00:00:00), between 00:00:00.100 and 00:05:00 (got '10s').",
            "GameApi could not run: Spool:MaxBytes must be a whole number without a unit, at least 4096 (got '1GB').",
            "GameApi could not run: Idempotency:MaxKeys must be at least 1 (got 0).",
        }));
        Assert.That(await api.Output, Does.Not.Contain("Exception").And.Not.Contain("   at "), "a stack trace");
    }

    // StackExchange.Redis reads a URL, or the rest of a password after a comma, as a host name, and the
    // host names were in the start log, in every keyed 503's log line and in readiness's answer.
    [TestCase("redis://:S3cr3t-pw@127.0.0.1:{0}", "not a URL")]
    [TestCase("127.0.0.1:{0},password=ab,S3cr3t-pw", "a password cannot contain a comma")]
    public async Task Start_RedisValueThatWouldShowItsPassword_ExitsNamingTheFormWithoutThePassword(string redis, string reason)
    {
        var port = Ports.Free();
        var environment = new Dictionary<string, string>
        {
            ["Idempotency__Redis"] = string.Format(CultureInfo.InvariantCulture, redis, Ports.Free()),
            ["Logging__LogLevel__Default"] = "Debug",
        };
        using var api = ApiProcess.Start(environment, "--urls", $"http://127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var shown = "";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!api.Process.HasExited && DateTime.UtcNow < deadline)
        {
            if (await LiveAsync(client))
            {
                // Running: what it shows to anyone who asks, and what it logs for a keyed request.
                using var keyed = new HttpRequestMessage(HttpMethod.Get, "/");
                keyed.Headers.Add("Idempotency-Key", "k1");
                using (await client.SendAsync(keyed))
                {
                }

                shown = await client.GetStringAsync("/health/ready");
                api.Process.Kill(entireProcessTree: true);
                break;
            }

            await Task.Delay(200);
        }

        await api.Process.WaitForExitAsync();
        var printed = await api.Output + await api.Errors + shown;

        Assert.That(printed, Does.Not.Contain("S3cr3t"));
        Assert.That(api.Process.ExitCode, Is.EqualTo(1), "the start is refused");
        Assert.That(await api.Errors, Does.StartWith("GameApi could not run: Idempotency:Redis must be a StackExchange.Redis configuration string such as host:6379,password=...")
            .And.Contain(reason));
    }

    // Read before the host exists, it used to escape the catch in Program.cs: an unhandled exception,
    // exit 134 and a stack trace.
    [Test]
    public async Task Start_BrokenAppsettingsJson_ExitsWithOneLineNamingTheFileAndWhere()
    {
        var root = Directory.CreateTempSubdirectory("gameapi-root-");
        try
        {
            var file = Path.Combine(root.FullName, "appsettings.json");
            await File.WriteAllTextAsync(file, "{\n  \"Kafka\": { \"Topic\": \"events\" }\n  \"Spool\": {}\n}\n");
            using var api = ApiProcess.Start("--urls", "http://127.0.0.1:0", $"--contentRoot={root.FullName}");
            await WaitForExitAsync(api);

            Assert.That(api.Process.ExitCode, Is.EqualTo(1));
            var errors = await api.Errors;
            Assert.That(errors, Does.StartWith($"GameApi could not run: Failed to load configuration from file '{file}': Could not parse the JSON file: "));
            Assert.That(errors, Does.Contain("(line 3, byte 3)."));
            Assert.That(errors.TrimEnd().Split('\n'), Has.Length.EqualTo(1), errors);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    // RetentionWatch let the cancellation of the failed host escape, which the host logged as the
    // service failing ("BackgroundService failed") and stopping the host (crit): a false lead.
    [Test]
    public async Task Start_PortInUse_ExitsWithoutBlamingABackgroundService()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        using var api = ApiProcess.Start("--urls", $"http://127.0.0.1:{port}", "--Kafka:EmbeddedAddress=127.0.0.1:0");
        await WaitForExitAsync(api);

        Assert.That(api.Process.ExitCode, Is.EqualTo(1));
        Assert.That(await api.Errors, Does.StartWith($"GameApi could not run: Failed to bind to address http://127.0.0.1:{port}"));
        var output = await api.Output;
        Assert.That(output, Does.Contain("Embedded Kafka broker listening on"), "the background services ran");
        Assert.That(output, Does.Not.Contain("BackgroundService failed").And.Not.Contain("crit:"));
    }

    [Test]
    public async Task Start_KafkaUnreachable_NoLibrdkafkaLinesOnStderr()
    {
        var port = Ports.Free();
        using var api = ApiProcess.Start("--urls", $"http://127.0.0.1:{port}", $"--Kafka:BootstrapServers=127.0.0.1:{Ports.Free()}", "--Kafka:StartTimeout=00:00:00.500");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await LiveAsync(client) && DateTime.UtcNow < deadline)
        {
            Assert.That(api.Process.HasExited, Is.False, "the API exited at start");
            await Task.Delay(200);
        }

        // Readiness asks for metadata, which kept the client retrying (and, before, logging) every ~50 ms.
        using (await client.GetAsync("/health/ready"))
        {
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        api.Process.Kill(entireProcessTree: true);

        Assert.That(await api.Errors, Does.Not.Contain("rdkafka#"));
        Assert.That(await api.Output, Does.Contain("Could not check or create topic 'events'"));
    }

    private static async Task WaitForExitAsync(ApiProcess api)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await api.Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("The API was still running 30 s after starting.");
        }
    }

    private static async Task<bool> LiveAsync(HttpClient client)
    {
        try
        {
            using var live = await client.GetAsync("/health/live");
            return live.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<string?> KafkaStatusAsync(HttpClient client)
    {
        using var ready = await client.GetAsync("/health/ready");
        return (string?)JObject.Parse(await ready.Content.ReadAsStringAsync())["checks"]!["kafka"]!["status"];
    }
}
