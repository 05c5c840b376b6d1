using GameApi.Tests.Support;

namespace GameApi.Tests.Web;

/// <summary>/metrics as Prometheus scrapes it, after real requests through the real delivery path.</summary>
public class MetricsTests
{
    [Test]
    public async Task Metrics_AfterRequests_DurationsPerRouteAndStatus_AcknowledgementTime_ServiceName()
    {
        using var api = new GameApiFactory();
        using var client = api.CreateClient();
        using (await client.GetAsync("/purchase_item?item=sword"))
        using (await client.GetAsync("/purchase_item?item=nope"))
        {
        }

        // The exporter caches a scrape for a moment; ask until the requests above are in it.
        var text = "";
        for (var attempt = 0; attempt < 50 && !text.Contains("http_response_status_code=\"400\",http_route=\"purchase_item\"", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
            using var response = await client.GetAsync("/metrics");
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.That(text, Does.Contain("http_server_request_duration_seconds_bucket{"));
        Assert.That(text, Does.Contain("http_response_status_code=\"200\",http_route=\"purchase_item\""));
        Assert.That(text, Does.Contain("http_response_status_code=\"400\",http_route=\"purchase_item\""));
        Assert.That(text, Does.Match("gameapi_kafka_acknowledgement_duration_seconds_count\\{[^}]*\\} [1-9]"));
        Assert.That(text, Does.Contain("gameapi_events_acknowledged_total"));
        Assert.That(text, Does.Contain("gameapi_kafka_outage"));
        Assert.That(text, Does.Contain("process_cpu_time_seconds_total"));
        Assert.That(text, Does.Contain("dotnet_gc_collections_total"));
        Assert.That(text, Does.Contain("service_name=\"gameapi\""));
    }

    // The values, not only the names: what an alert on the outage or on lost events reads.
    [Test]
    public async Task Metrics_ThroughAnOutage_CountEachEventWhereItWent()
    {
        using var api = new GameApiFactory(new Dictionary<string, string?> { ["Spool:KafkaWait"] = "00:00:00.200" });
        using var client = api.CreateClient();
        using (await client.GetAsync("/purchase_item?item=sword"))
        {
        }

        await MetricsReachAsync(client, ("gameapi_events_acknowledged_total", 1), ("gameapi_kafka_outage", 0), ("gameapi_events_spooled_total", 0));

        api.Kafka.Embedded!.SetDown();
        using (var spooled = await client.GetAsync("/purchase_item?item=knife"))
        {
            Assert.That(spooled.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        }

        await MetricsReachAsync(client, ("gameapi_events_spooled_total", 1), ("gameapi_spool_backlog", 1), ("gameapi_kafka_outage", 1), ("gameapi_events_acknowledged_total", 1));

        api.Kafka.Embedded.SetUp();
        await MetricsReachAsync(client, ("gameapi_events_relayed_total", 1), ("gameapi_spool_backlog", 0), ("gameapi_kafka_outage", 0), ("gameapi_events_failed_total", 0));
    }

    // The exporter caches a scrape for a moment and the relay takes its time: asks until every value is
    // as expected, then fails naming the values last seen.
    private static async Task MetricsReachAsync(HttpClient client, params (string Name, double Value)[] expected)
    {
        var seen = Array.Empty<(string, double)>();
        for (var wait = System.Diagnostics.Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(200))
        {
            var text = await client.GetStringAsync("/metrics");
            seen = expected.Select(e => (e.Name, Value(text, e.Name))).ToArray();
            if (seen.Zip(expected).All(p => p.First.Item2 == p.Second.Value))
            {
                return;
            }
        }

        Assert.That(seen, Is.EqualTo(expected));
    }

    // A series' value in Prometheus's text format: "name{labels} value" or "name value"; 0 when absent (a
    // counter appears only once it has counted), so a misnamed series shows where 1 is expected.
    private static double Value(string text, string name) => text.Split('\n')
        .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
        .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
        .FirstOrDefault();
}
