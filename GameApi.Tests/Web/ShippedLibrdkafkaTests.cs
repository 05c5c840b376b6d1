using System.Net;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;

namespace GameApi.Tests.Web;

/// <summary>
/// On a host where another librdkafka is on the loader's path (Debian's librdkafka-dev, LD_LIBRARY_PATH),
/// the API still runs on the copy it ships, and says which one at start.
/// </summary>
public class ShippedLibrdkafkaTests
{
    [Test]
    public async Task Start_AnotherLibrdkafkaOnTheLoaderPath_RunsOnTheShippedCopyOnly()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 1);
        var port = Ports.Free();
        using var api = ApiProcess.Start(
            new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = StubLibrdkafka.Folder },
            "--urls", $"http://127.0.0.1:{port}", $"--Kafka:BootstrapServers={broker.BootstrapServers}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await api.WaitLiveAsync(client);

        using (var purchase = await client.GetAsync("/purchase_item?item=knife"))
        {
            Assert.That(purchase.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var mapped = StubLibrdkafka.MappedFiles(api.Process.Id);
        var shipped = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        api.Process.Kill();
        await api.Process.WaitForExitAsync();

        Assert.That(mapped.Where(f => f.StartsWith(StubLibrdkafka.Folder, StringComparison.Ordinal)), Is.Empty, "the stub was mapped");
        Assert.That(mapped.Where(f => f.EndsWith(".so", StringComparison.Ordinal) && f.Contains("rdkafka", StringComparison.Ordinal)), Has.All.StartsWith(shipped));
        Assert.That(mapped.Where(f => f.EndsWith(".so", StringComparison.Ordinal) && f.Contains("rdkafka", StringComparison.Ordinal)), Is.Not.Empty);
        Assert.That(await api.Output, Does.Contain($"librdkafka 2.16.0 loaded from {shipped}"));
        Assert.That(TopicReader.ReadEvents(broker.BootstrapServers).Select(e => (string?)e["item"]), Is.EqualTo(new[] { "knife" }));
    }
}
