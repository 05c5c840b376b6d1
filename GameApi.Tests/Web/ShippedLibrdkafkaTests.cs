using System.Net;
using GameApi.Infrastructure.Embedded;
using GameApi.Librdkafka;
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
            var (exitCode, output, errors) = await RunToExitAsync(bare, bare, new Dictionary<string, string>());

            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(errors.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(errors, Does.StartWith("GameApi could not run: The librdkafka shipped with this program is missing")
                .And.Contain(Path.Combine(bare, "runtimes", "linux-x64", "native")));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    // A deployment whose librdkafka files were replaced by another version (a packager "deduplicating" them,
    // a botched copy): the API logged it as loaded, then died of a segmentation fault at the first request.
    [Test]
    public async Task Start_ShippedLibrdkafkaOfAnotherVersion_ExitsWithOneLineNamingBoth()
    {
        var expected = ShippedLibrdkafka.Load().Version;
        var bare = Directory.CreateTempSubdirectory("gameapi-other-librdkafka-").FullName;
        try
        {
            CopyWithoutLibrdkafka(AppContext.BaseDirectory, bare);
            var native = Path.Combine(bare, "runtimes", "linux-x64", "native");
            foreach (var name in new[] { "librdkafka.so", "centos8-librdkafka.so" })
            {
                File.Copy(Path.Combine(StubLibrdkafka.Folder, "librdkafka.so"), Path.Combine(native, name));
            }

            var (exitCode, output, errors) = await RunToExitAsync(bare, bare, new Dictionary<string, string>());

            Assert.That(exitCode, Is.EqualTo(1), output + errors);
            Assert.That(errors.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), errors);
            Assert.That(errors, Does.StartWith($"GameApi could not run: Found librdkafka 2.0.2-stub at {Path.Combine(native, "librdkafka.so")}, but this program was built with librdkafka {expected}")
                .And.EndWith("reinstall the published folder.\n"));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    // A librdkafka in the process's global scope (LD_PRELOAD) takes over the shipped copy's calls to its own
    // functions: Debian's 2.0.2 made the API abort (exit 134) in rd_kafka_conf_finalize, after it logged that
    // the shipped 2.16.0 was loaded. It refuses at once, naming the other copy.
    [Test]
    public async Task Start_AnotherLibrdkafkaPreloaded_ExitsWithOneLineNamingIt()
    {
        var preloaded = Path.Combine(StubLibrdkafka.Folder, "librdkafka.so");
        var spool = Directory.CreateTempSubdirectory("gameapi-preloaded-").FullName;
        try
        {
            var (exitCode, output, errors) = await RunToExitAsync(AppContext.BaseDirectory, spool, new Dictionary<string, string> { ["LD_PRELOAD"] = preloaded });

            Assert.That(exitCode, Is.EqualTo(1), output + errors);
            Assert.That(errors.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), errors);
            Assert.That(errors, Does.StartWith($"GameApi could not run: Another librdkafka ({preloaded}) is loaded into this process, probably through LD_PRELOAD;")
                .And.Contain(ShippedLibrdkafka.Load().Path)
                .And.EndWith("start the program without it.\n"));
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    // The API in `folder` with an embedded broker on a free port and its files in `data`, run until it exits (30 s at most).
    private static async Task<(int ExitCode, string Output, string Errors)> RunToExitAsync(string folder, string data, IReadOnlyDictionary<string, string> environment)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--Kafka:EmbeddedAddress=127.0.0.1:0", $"--Spool:Path={Path.Combine(data, "spool", "e.db")}", $"--Idempotency:Path={Path.Combine(data, "keys.db")}"];
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(folder, "GameApi.Web.dll"), .. args])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var api = System.Diagnostics.Process.Start(start)!;
        var output = api.StandardOutput.ReadToEndAsync();
        var errors = api.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await api.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
            Assert.Fail($"The API was still running 30 s after starting: {await errors}");
        }

        return (api.ExitCode, await output, await errors);
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
