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
}
