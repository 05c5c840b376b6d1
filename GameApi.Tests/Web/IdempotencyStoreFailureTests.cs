using System.Net;
using GameApi.Infrastructure.Idempotency;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moq;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

/// <summary>When the keys cannot be checked or kept: requests with a key are refused or answered honestly, others are served.</summary>
public class IdempotencyStoreFailureTests
{
    private readonly RecordingEventLogger _log = new();

    [SetUp]
    public void ResetLog() => _log.Reset();

    private static HttpRequestMessage Keyed(string url, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return request;
    }

    [Test]
    public async Task RedisUnreachable_KeyedRequests503NothingRecorded_OthersServed_ReadinessDegraded()
    {
        using var api = new GameApiFactory(
            new Dictionary<string, string?> { ["Idempotency:Redis"] = $"127.0.0.1:{Ports.Free()},connectTimeout=300" },
            s => s.AddSingleton(_log.Mock.Object));
        using var client = api.CreateClient();

        using var keyed = await client.SendAsync(Keyed("/purchase_item?item=sword"));
        var keyedEvents = _log.Events.Count;
        using var plain = await client.GetAsync("/purchase_item?item=sword");
        var ready = JObject.Parse(await client.GetStringAsync("/health/ready"));

        Assert.That(keyed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await keyed.Content.ReadAsStringAsync(), Is.EqualTo("\nIdempotency keys cannot be checked now. Nothing was done; please retry.\n"));
        Assert.That(keyed.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(keyedEvents, Is.Zero);
        Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_log.Events, Has.Count.EqualTo(1));
        Assert.That(ready["status"]!.Value<string>(), Is.EqualTo("Degraded"));
        Assert.That(ready["checks"]!["idempotency"]!["description"]!.Value<string>(), Does.Contain("Redis at 127.0.0.1:").And.Contain("Requests with an Idempotency-Key get 503"));
    }

    // .NET reads "24:00:00" as 24 days: the start log is where an operator sees what the API took.
    [Test]
    public void Start_SaysHowLongAnswersAreReplayed()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Idempotency:Retention"] = "24:00:00", ["Logging:LogLevel:Default"] = "Information" }, s => s.AddFakeLogging());
        using var client = api.CreateClient(); // starts the host

        var lines = api.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message);
        Assert.That(lines, Has.Exactly(1).Contains("each answer replayed for 24.00:00:00 (Idempotency:Retention, [d.]hh:mm:ss)"));
    }

    [Test]
    public async Task RedisWithAPassword_PasswordInNoLogLineAndNotInReadiness()
    {
        var logs = new FakeLogCollector();
        using var api = new GameApiFactory(
            new Dictionary<string, string?>
            {
                ["Idempotency:Redis"] = $"127.0.0.1:{Ports.Free()},user=alice,password=S3cr3t-pw,connectTimeout=300",
                ["Logging:LogLevel:Default"] = "Trace",
            },
            s =>
            {
                s.AddSingleton(_log.Mock.Object);
                s.AddLogging(l => l.AddProvider(new FakeLoggerProvider(logs)));
            });
        using var client = api.CreateClient();

        using var keyed = await client.SendAsync(Keyed("/purchase_item?item=sword"));
        var ready = await client.GetStringAsync("/health/ready");
        var logged = logs.GetSnapshot().Select(r => $"{r.Message} {r.Exception}").ToList();

        Assert.That(keyed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(logged, Has.Some.Contains("Idempotency keys in Redis at 127.0.0.1:"));
        Assert.That(logged, Has.Some.Contains("refused (503)"));
        Assert.That(logged, Has.None.Contains("S3cr3t"));
        Assert.That(ready, Does.Contain("Redis at 127.0.0.1:").And.Not.Contain("S3cr3t"));
    }

    [Test]
    public async Task RedisStalledPastTheTimeout_503ThenTheRetryIsProcessedOnceRedisIsBack()
    {
        using var redis = await RedisServer.StartAsync();
        using var api = new GameApiFactory(
            new Dictionary<string, string?> { ["Idempotency:Redis"] = $"{redis.ConnectionString},asyncTimeout=1000" },
            s => s.AddSingleton(_log.Mock.Object));
        using var client = api.CreateClient();
        using (var connected = await client.SendAsync(Keyed("/purchase_item?item=knife")))
        {
            Assert.That(connected.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var key = Guid.NewGuid().ToString();
        var eventsBefore = _log.Events.Count;
        HttpStatusCode stalled;
        redis.Pause();
        try
        {
            // Times out in the API; Redis runs the claim once it runs again.
            using var first = await client.SendAsync(Keyed("/purchase_item?item=sword", key));
            stalled = first.StatusCode;
        }
        finally
        {
            redis.Resume();
        }

        var retries = new List<HttpStatusCode>();
        do
        {
            await Task.Delay(200);
            using var retry = await client.SendAsync(Keyed("/purchase_item?item=sword", key));
            retries.Add(retry.StatusCode);
        }
        while (retries[^1] != HttpStatusCode.OK && retries.Count < 25);

        Assert.That(stalled, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(retries, Has.None.EqualTo(HttpStatusCode.Conflict), "no claim left behind by the 503");
        Assert.That(retries[^1], Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_log.Events.Count - eventsBefore, Is.EqualTo(1), "one event");
    }

    [Test]
    public async Task KeysFileCannotBeOpened_KeyedRequests503_OthersServed()
    {
        var blocker = Path.GetTempFileName();
        try
        {
            using var api = new GameApiFactory(
                new Dictionary<string, string?> { ["Idempotency:Path"] = Path.Combine(blocker, "keys.db") },
                s => s.AddSingleton(_log.Mock.Object));
            using var client = api.CreateClient();

            using var keyed = await client.SendAsync(Keyed("/"));
            using var plain = await client.GetAsync("/");

            Assert.That(keyed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_log.Events, Has.Count.EqualTo(1));
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Test]
    public async Task AnswerCannotBeKept_TheRecordedActionIsStillAnsweredAndTheFailureLogged()
    {
        var store = new Mock<IIdempotencyStore>();
        store.Setup(s => s.ClaimAsync(It.IsAny<IdempotentRequest>())).ReturnsAsync(IdempotencyClaim.Claimed);
        store.Setup(s => s.KeepAsync(It.IsAny<IdempotentRequest>(), It.IsAny<KeptAnswer>())).ThrowsAsync(new IdempotencyStoreException("disk full"));
        var logs = new FakeLogCollector();
        using var api = new GameApiFactory(services: s =>
        {
            s.AddSingleton(_log.Mock.Object);
            s.AddSingleton(store.Object);
            s.AddLogging(l => l.AddProvider(new FakeLoggerProvider(logs)));
        });
        using var client = api.CreateClient();

        using var answer = await client.SendAsync(Keyed("/purchase_item?item=knife"));

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the event is recorded: the purchase happened");
        Assert.That(_log.Events, Has.Count.EqualTo(1));
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.Some.Contains("was not kept; a retry will be processed again: disk full"));
    }
}
