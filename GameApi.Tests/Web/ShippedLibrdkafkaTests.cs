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

    [Test]
    public async Task Start_ShippedLibrdkafkaMissing_ExitsWithOneLineNamingTheFiles()
    {
        // The build output less the package's librdkafka builds: a broken deployment. (A copy, not links:
        // the host follows a linked program to its real folder.)
        var bare = Directory.CreateTempSubdirectory("gameapi-no-librdkafka-").FullName;
        try
        {
            CopyWithoutLibrdkafka(AppContext.BaseDirectory, bare);
            var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(bare, "GameApi.Web.dll"), "--urls", "http://127.0.0.1:0", "--Kafka:EmbeddedAddress=127.0.0.1:0", $"--Spool:Path={Path.Combine(bare, "spool", "e.db")}"])
            {
                WorkingDirectory = bare,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var api = System.Diagnostics.Process.Start(start)!;
            var output = api.StandardOutput.ReadToEndAsync();
            var errors = api.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await api.WaitForExitAsync(timeout.Token);

            Assert.That(api.ExitCode, Is.EqualTo(1), await output);
            Assert.That((await errors).TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(await errors, Does.StartWith("GameApi could not run: The librdkafka shipped with this program is missing")
                .And.Contain(Path.Combine(bare, "runtimes", "linux-x64", "native")));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    // Every file beside the program, and of the native libraries only SQLite's (the spool's).
    private static void CopyWithoutLibrdkafka(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        var native = Path.Combine("runtimes", "linux-x64", "native");
        Directory.CreateDirectory(Path.Combine(to, native));
        File.Copy(Path.Combine(from, native, "libe_sqlite3.so"), Path.Combine(to, native, "libe_sqlite3.so"));
    }
}
