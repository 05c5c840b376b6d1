using System.Diagnostics;
using System.Net;
using GameApi.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

/// <summary>The whole path, HTTP request to Kafka record, on the embedded broker.</summary>
public class KafkaEndToEndTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(2);
    private GameApiFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public void StartApi()
    {
        _factory = new GameApiFactory(new Dictionary<string, string?> { ["Kafka:DeliveryTimeout"] = DeliveryTimeout.ToString(), ["Spool:KafkaWait"] = "00:00:00.300" });
        _client = _factory.CreateClient();
    }

    [TearDown]
    public void StopApi()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Test]
    public async Task Get_EventOnTheTopicIsTheDocumentedJson()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/join_guild?guild_id=42");
        request.Headers.TryAddWithoutValidation("User-Agent", "e2e");
        request.Headers.TryAddWithoutValidation("Cookie", "secret");

        using var response = await _client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var e = TopicReader.ReadEvents(_factory.Kafka.BootstrapServers).Single();
        Assert.That(e["event_type"]!.Value<string>(), Is.EqualTo("join_guild"));
        Assert.That(e["guild_id"]!.Value<long>(), Is.EqualTo(42));
        Assert.That(Guid.TryParse(e["event_id"]!.Value<string>(), out _), Is.True);
        Assert.That(e["timestamp"]!.ToString(Newtonsoft.Json.Formatting.None), Does.Match("""^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$"""));
        Assert.That(e["User-Agent"]!.Value<string>(), Is.EqualTo("e2e"));
        Assert.That(e["Host"]!.Value<string>(), Is.EqualTo("localhost"));
        Assert.That(e.ContainsKey("Cookie"), Is.False);
    }

    [Test]
    public async Task Get_BrokerDown_AnsweredFromTheSpoolThenRelayed()
    {
        (await _client.GetAsync("/")).Dispose(); // the producer is connected before the outage
        _factory.Kafka.Embedded!.SetDown();
        var clock = Stopwatch.StartNew();

        using var response = await _client.GetAsync("/purchase_item?item=knife");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "a request waits for Kafka only briefly");
        Assert.That(_factory.Spool.Count, Is.EqualTo(1));
        using (var ready = await _client.GetAsync("/health/ready"))
        {
            var report = JObject.Parse(await ready.Content.ReadAsStringAsync());
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "events can still be recorded");
            Assert.That(report["status"]!.Value<string>(), Is.EqualTo("Degraded"));
            Assert.That(report["checks"]!["spool"]!["data"]!["backlog"]!.Value<long>(), Is.EqualTo(1));
        }

        _factory.Kafka.Embedded.SetUp();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_factory.Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(_factory.Spool.Count, Is.EqualTo(0));
        Assert.That(TopicReader.ReadEvents(_factory.Kafka.BootstrapServers).Select(e => e["item"]?.Value<string>()), Does.Contain("knife"));
    }
}
