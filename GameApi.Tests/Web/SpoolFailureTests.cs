using System.Net;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

/// <summary>Kafka down and the spool unusable: 503, readiness fails, nothing is acknowledged.</summary>
public class SpoolFailureTests
{
    [Test]
    public async Task Get_SpoolFullDuringAnOutage_503AndNotReady_AcknowledgedEventsStillDelivered()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Spool:MaxBytes"] = "4096", ["Spool:KafkaWait"] = "00:00:00.200" });
        using var client = api.CreateClient();
        (await client.GetAsync("/")).Dispose();
        api.Kafka.Embedded!.SetDown();
        var acknowledged = new List<string>();
        HttpStatusCode status;
        do
        {
            var item = acknowledged.Count % 2 == 0 ? "sword" : "knife";
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/purchase_item?item={item}");
            var id = Guid.NewGuid().ToString();
            request.Headers.Add("X-Trace", id);
            using var response = await client.SendAsync(request);
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                acknowledged.Add(id);
            }
        }
        while (status == HttpStatusCode.OK && acknowledged.Count < 1000);

        using var ready = await client.GetAsync("/health/ready");
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(acknowledged, Has.Count.InRange(5, 100), "4 KiB holds a few events");
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        api.Kafka.Embedded.SetUp();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (api.Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var traces = TopicReader.ReadEvents(api.Kafka.BootstrapServers).Select(e => e["X-Trace"]?.Value<string>()).OfType<string>().ToList();
        Assert.That(acknowledged.Except(traces), Is.Empty);
        Assert.That(traces.Distinct().Count(), Is.EqualTo(acknowledged.Count), "the refused event is not delivered later");
    }

    // Events acknowledged into a spool file that no path names any more are lost at the next restart.
    [Test]
    public async Task Get_SpoolFileDeletedDuringAnOutage_NoMoreEventsTakenIntoIt_ItsEventsStillRelayed()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Spool:KafkaWait"] = "00:00:00.200", ["Kafka:DeliveryTimeout"] = "00:00:03" });
        using var client = api.CreateClient();
        (await client.GetAsync("/")).Dispose();
        api.Kafka.Embedded!.SetDown();
        var (spooled, first) = await TaggedRequests.SendAsync(client, "/purchase_item?item=sword");
        Assert.That(first, Is.EqualTo(HttpStatusCode.OK));

        foreach (var file in new[] { "", "-wal", "-shm" })
        {
            File.Delete(api.Spool.Path + file);
        }

        var (_, afterDeletion) = await TaggedRequests.SendAsync(client, "/purchase_item?item=sword");
        using var ready = await client.GetAsync("/health/ready");

        Assert.That(afterDeletion, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "not acknowledged into a file no path names");
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await ready.Content.ReadAsStringAsync(), Does.Contain("was deleted or replaced while the API ran"));

        api.Kafka.Embedded.SetUp();
        await Task.Delay(1500); // the producer reconnects within a second
        var (direct, afterKafka) = await TaggedRequests.SendAsync(client, "/purchase_item?item=sword");
        Assert.That(afterKafka, Is.EqualTo(HttpStatusCode.OK), "Kafka answers: the request does not need the spool");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (api.Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.That(TaggedRequests.IdsOnTopic(api.Kafka.BootstrapServers), Is.SupersetOf(new[] { spooled, direct }), "the event in the deleted file was relayed from the open file");
    }

    // Before, nothing said so at start: requests answered 200 while Kafka acknowledged in time, and the
    // first slow acknowledgement turned into a 503.
    [Test]
    public void Start_SpoolCannotBeOpened_ErrorLoggedNamingTheSetting()
    {
        var blocker = Path.GetTempFileName(); // a file: nothing can be created under it, even by root
        try
        {
            var path = Path.Combine(blocker, "events.db");
            using var api = new GameApiFactory(new Dictionary<string, string?> { ["Spool:Path"] = path }, services => services.AddFakeLogging());
            using var client = api.CreateClient(); // starts the host

            var errors = api.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Message).ToList();
            Assert.That(errors.Count(m => m.StartsWith($"The spool at {path} cannot be opened: ", StringComparison.Ordinal) && m.Contains("Check Spool:Path.", StringComparison.Ordinal)),
                Is.EqualTo(1), string.Join("\n", errors));
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Test]
    public async Task Get_SpoolUnwritableDuringAnOutage_503AndNotReady()
    {
        var blocker = Path.GetTempFileName(); // a file: nothing can be created under it, even by root
        try
        {
            using var api = new GameApiFactory(new Dictionary<string, string?>
            {
                ["Spool:Path"] = Path.Combine(blocker, "events.db"),
                ["Spool:KafkaWait"] = "00:00:00.200",
            });
            using var client = api.CreateClient();
            api.Kafka.Embedded!.SetDown();

            using var response = await client.GetAsync("/purchase_item?item=sword");
            using var ready = await client.GetAsync("/health/ready");

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            var report = JObject.Parse(await ready.Content.ReadAsStringAsync());
            Assert.That(report["checks"]!["spool"]!["description"]!.Value<string>(), Does.Contain("cannot be opened"));
            api.Kafka.Embedded.SetUp();
            await Task.Delay(1500);
            Assert.That(TopicReader.ReadEvents(api.Kafka.BootstrapServers).Select(e => e["item"]?.Value<string>()), Has.None.EqualTo("sword"),
                "a 503'd event may not appear later");
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
