using GameApi.Infrastructure.Embedded;
using GameApi.Librdkafka;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>
/// The analytics under the JIT (<c>dotnet gameapi-analytics.dll</c>, as <c>dotnet run</c> starts it) loads
/// the librdkafka it ships, whatever else the loader's path holds, and <c>--version</c> says which.
/// </summary>
public class ShippedLibrdkafkaTests
{
    private const string Topic = "events";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private EmbeddedKafkaBroker _broker = null!;

    // The test host loaded it from the same folder the analytics beside it loads from.
    private static LoadedLibrdkafka Shipped => ShippedLibrdkafka.Load();

    [OneTimeSetUp]
    public void WriteTopic()
    {
        _broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        _broker.CreateTopic(Topic, 2);
        OtherLibrdkafkaOnPath.WriteEvents(_broker.BootstrapServers, Topic);
    }

    [OneTimeTearDown]
    public void StopBroker() => _broker.Dispose();

    [Test]
    public void Sql_OtherLibrdkafkaOnLoaderPath_ReadsTheTopicMappingOnlyTheShippedCopy()
    {
        var (outcome, mapped) = AnalyticsProcess.RunReadingMaps(
            AnalyticsProcess.Jit, OtherLibrdkafkaOnPath.ReadEverything(_broker.BootstrapServers, Topic), Timeout, OtherLibrdkafkaOnPath.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
            Assert.That(outcome.JsonRows.Select(r => r["event_id"]!.Value<string>()), Is.EquivalentTo(OtherLibrdkafkaOnPath.EventIds));
            Assert.That(OtherLibrdkafkaOnPath.StubFiles(mapped), Is.Empty, "the stub on LD_LIBRARY_PATH was loaded");
            Assert.That(OtherLibrdkafkaOnPath.MapsLibrdkafkaFrom(mapped, Path.GetDirectoryName(Shipped.Path)!), Is.True, "no shipped librdkafka mapped while it answered");
        });
    }

    [Test]
    public void Version_OtherLibrdkafkaOnLoaderPath_NamesTheShippedCopy()
    {
        var outcome = AnalyticsProcess.Run(AnalyticsProcess.Jit, ["--version"], Timeout, OtherLibrdkafkaOnPath.Environment);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout.Split('\n')[1], Is.EqualTo($"librdkafka {Shipped.Version} ({Shipped.Path})"));
    }

    // Debian's librdkafka 2.0.2 preloaded took over the shipped copy's calls to itself: a Kafka read
    // segfaulted, after --version had said the shipped copy was in use.
    [Test]
    public void Sql_AnotherLibrdkafkaPreloaded_Exit1WithOneLineNamingIt() =>
        OtherLibrdkafkaOnPath.AssertRefusesPreloaded(AnalyticsProcess.Run(
            AnalyticsProcess.Jit, OtherLibrdkafkaOnPath.ReadEverything(_broker.BootstrapServers, Topic), Timeout, OtherLibrdkafkaOnPath.Preloaded));

    [Test]
    public void Version_AnotherLibrdkafkaPreloaded_Exit1WithOneLineNamingIt() =>
        OtherLibrdkafkaOnPath.AssertRefusesPreloaded(AnalyticsProcess.Run(AnalyticsProcess.Jit, ["--version"], Timeout, OtherLibrdkafkaOnPath.Preloaded));

    // The program's files without the native libraries (runtimes/), as an executable copied alone: DuckDB's
    // missing library was a stack trace, and on a Kafka read it replaced the librdkafka line (the engine's
    // disposal rethrew DuckDB's failure over it). The native build's tests run the published executable alone.
    [Test]
    public void NoNativeLibraries_KafkaRead_Exit1WithTheLibrdkafkaLine() => WithoutNativeLibraries(bare =>
    {
        var outcome = AnalyticsProcess.Run(["dotnet", Path.Combine(bare, "gameapi-analytics.dll")], ["report", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2"], Timeout);

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Is.EqualTo(
            $"error: The librdkafka shipped with this program is missing: none of librdkafka.so, centos8-librdkafka.so is in {Path.Combine(bare, "runtimes", "linux-x64", "native")} or {bare}/; copy the whole publish folder.\n"));
    });

    [Test]
    public void NoNativeLibraries_FileInput_Exit1NamingLibduckdb() => WithoutNativeLibraries(bare =>
    {
        var input = AnalyticsRunner.WriteLines("""{"event_type":"default","event_id":"1"}""");
        var outcome = AnalyticsProcess.Run(["dotnet", Path.Combine(bare, "gameapi-analytics.dll")], ["report", "--input", input], Timeout);

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Is.EqualTo(
            $"error: libduckdb.so, a part of this program, is missing: it is in none of {Path.Combine(bare, "runtimes", "linux-x64", "native")} or {bare}/; copy the whole publish folder, not the executable alone.\n"));
    });

    // The files beside the tests (the analytics' among them) in a folder of their own, without runtimes/.
    private static void WithoutNativeLibraries(Action<string> test)
    {
        var bare = Directory.CreateTempSubdirectory("gameapi-analytics-bare-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
            {
                File.Copy(file, Path.Combine(bare, Path.GetFileName(file)));
            }

            test(bare);
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Test]
    public void Version_InProcess_PrintsTheProgramLibrdkafkaAndDuckDbVersions()
    {
        var outcome = AnalyticsRunner.Run("--version");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout.TrimEnd().Split(Environment.NewLine), Has.Exactly(3).Items
            .And.Some.Match(@"^gameapi-analytics \d+\.\d+\.\d+")
            .And.Some.EqualTo($"librdkafka {Shipped.Version} ({Shipped.Path})")
            .And.Some.Match(@"^DuckDB v\d+\.\d+\.\d+$"));
    }
}
