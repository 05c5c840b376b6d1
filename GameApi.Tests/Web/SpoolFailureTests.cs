using System.Net;
using GameApi.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

/// <summary>Kafka down and the spool unusable: 503, readiness fails, nothing is acknowledged.</summary>
public class SpoolFailureTests
{
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
