using System.Diagnostics;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using GameApi.Infrastructure.Embedded;
using GameApi.Librdkafka;
using GameApi.Tests.Analytics.Spark;
using GameApi.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>
/// The analytics as users run it after <c>dotnet publish</c>: a native, ahead-of-time compiled
/// executable with trimmed libraries, where reflection that works under the JIT can fail. Each test
/// runs it as a child process and checks that it answers exactly as the in-process program does: on
/// a file, in every format, from Kafka, over Spark Connect, and with errors. It loads the librdkafka
/// published beside it, whatever else the loader's path holds.
/// </summary>
[NonParallelizable]
public class NativeBuildTests
{
    private static readonly string[] Lines =
    [
        """{"event_type":"default","event_id":"1"}""",
        """{"event_type":"purchase_item","item":"sword","event_id":"2","User-Agent":"GameClient/1.0","Host":"h"}""",
        """{"event_type":"purchase_item","item":"sword","event_id":"2","User-Agent":"GameClient/1.0","Host":"h"}""",
        """{"event_type":"join_guild","guild_id":7,"event_id":"3","User-Agent":"GameClient/1.0"}""",
        """{"event_type":"join_guild","guild_id":"invalid","event_id":"4","meta":{"tags":["a","b"]},"note":"żółw ☃ 😀"}""",
        "not json",
        "[1,2]",
    ];

    private string _publish = "";
    private string _native = "";
    private string _input = "";

    [OneTimeSetUp]
    public void Publish()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The native build is published and tested on Linux.");
        }

        if (!OnPath("clang") && !OnPath("gcc"))
        {
            Assert.Ignore("Publishing a native executable needs clang or gcc to link it (.ci/run installs gcc).");
        }

        _publish = Directory.CreateTempSubdirectory("gameapi-native-").FullName;
        var project = Path.Combine(RepositoryRoot(), "GameApi.Analytics");
        var publish = AnalyticsProcess.Run(["dotnet"], ["publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", _publish], TimeSpan.FromMinutes(10));
        Assert.That(publish.ExitCode, Is.EqualTo(0), publish.Stdout + publish.Stderr);
        _native = Path.Combine(_publish, "gameapi-analytics");
        Assert.That(File.Exists(Path.Combine(_publish, "gameapi-analytics.dll")), Is.False, "published as IL, not natively");
        _input = AnalyticsRunner.WriteLines(Lines);
    }

    [OneTimeTearDown]
    public void DeleteFiles()
    {
        if (_publish.Length > 0)
        {
            Directory.Delete(_publish, recursive: true);
        }

        if (_input.Length > 0)
        {
            File.Delete(_input);
        }
    }

    private AnalyticsOutcome Native(params string[] args) => AnalyticsProcess.Run([_native], args, TimeSpan.FromMinutes(1));

    private static void AssertSame(AnalyticsOutcome native, AnalyticsOutcome inProcess)
    {
        Assert.That(native.ExitCode, Is.EqualTo(inProcess.ExitCode), native.Stderr);
        Assert.That(native.Stdout, Is.EqualTo(inProcess.Stdout));
        Assert.That(native.Stderr, Is.EqualTo(inProcess.Stderr));
    }

    [Test]
    public void Help_ListsTheCommands()
    {
        var outcome = Native("--help");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout, Does.Contain("report").And.Contain("sql").And.Contain("--bootstrap-servers"));
    }

    [TestCase("report")]
    [TestCase("events")]
    [TestCase("schema")]
    [TestCase("sql", "CREATE TABLE t AS SELECT event_type FROM events; SELECT COUNT(*) AS n FROM t")]
    [TestCase("sql", "CREATE TABLE t AS SELECT 1")]
    [TestCase("sql", "SELECT [1, NULL] AS list, {'a': DATE '2026-01-01'} AS struct, map(['k'], [2.5]) AS map, INTERVAL 3 DAY AS i, 1.5::DECIMAL(4,2) AS d, note FROM events")]
    [TestCase("sql", "PREPARE p AS SELECT TIME '10:15:30.5' AS t, INTERVAL 1 MONTH AS i, TIMETZ '10:00:00+02' AS ttz, TIMESTAMPTZ '2026-01-01 10:00:00+02' AS tz, 1.50::DECIMAL(38,2) AS d; EXECUTE p")]
    public void File_EveryFormat_SameAsInProcess(params string[] command)
    {
        foreach (var format in new[] { "table", "csv", "json" })
        {
            string[] args = [.. command, "--input", _input, "--format", format];
            AssertSame(Native(args), AnalyticsRunner.Run(args));
        }
    }

    [Test]
    public void HtmlReport_SameAsInProcess_AndDraws()
    {
        var native = Path.Combine(_publish, "native.html");
        var inProcess = Path.Combine(_publish, "in-process.html");

        Assert.That(Native("report", "--input", _input, "--output", native).ExitCode, Is.EqualTo(0));
        Assert.That(AnalyticsRunner.Run("report", "--input", _input, "--output", inProcess).ExitCode, Is.EqualTo(0));

        // The charting library is a resource of the program: trimming must keep it.
        static string WithoutClock(string page) => System.Text.RegularExpressions.Regex.Replace(page, "Generated [0-9: -]+ UTC", "Generated");
        Assert.That(WithoutClock(File.ReadAllText(native)), Is.EqualTo(WithoutClock(File.ReadAllText(inProcess))));
        Assert.That(BrowserPage.Open(native)["charts"]!.Select(c => (bool)c["drawn"]!), Is.All.True);
    }

    [TestCase(".parquet")]
    [TestCase(".csv")]
    [TestCase(".json")]
    public void OutputFile_SameRowsAsInProcess(string extension)
    {
        var native = Path.Combine(_publish, "native" + extension);
        var inProcess = Path.Combine(_publish, "in-process" + extension);

        Assert.That(Native("events", "--input", _input, "--output", native).ExitCode, Is.EqualTo(0));
        Assert.That(AnalyticsRunner.Run("events", "--input", _input, "--output", inProcess).ExitCode, Is.EqualTo(0));

        if (extension == ".parquet")
        {
            Assert.That(ParquetRows(native), Is.EqualTo(ParquetRows(inProcess)).And.Count.EqualTo(4));
        }
        else
        {
            Assert.That(File.ReadAllText(native), Is.EqualTo(File.ReadAllText(inProcess)).And.Contain("żółw"));
        }
    }

    [Test]
    public void Errors_SameExitCodesAndMessages()
    {
        string[][] runs =
        [
            ["sql", "SELECT no_such_column FROM events", "--input", _input],
            ["report", "--input", "/nonexistent/events.jsonl"],
            ["events", "--limit", "-1"],
            ["sql", "SELECT [1]; SELECT 2", "--input", _input],
            ["sql", "SELECT 1; SELECT [2]", "--input", _input],
            ["sql", " ", "--input", _input],
            ["events", "--limit", "abc"],
            ["report", "--output", "/no-such-folder/report.csv"],
            ["sql", "SELECT 1", "--input", _input, "--output", "/tmp/rows.txt"],
        ];
        foreach (var args in runs)
        {
            AssertSame(Native(args), AnalyticsRunner.Run(args));
        }
    }

    // Console.Out on a full disk throws on a write: that was an unhandled exception and a stack trace.
    [Test]
    public void Stdout_OnAFullDisk_Exit2WithOneLine()
    {
        foreach (var format in new[] { "table", "csv", "json" })
        {
            var outcome = AnalyticsProcess.Run(["bash", "-c", "exec \"$0\" \"$@\" > /dev/full", _native], ["sql", "SELECT * FROM events", "--input", _input, "--format", format], TimeSpan.FromMinutes(1));

            Assert.That(outcome.ExitCode, Is.EqualTo(2), format);
            Assert.That(outcome.Stderr.Trim(), Does.EndWith("\nerror: cannot write the results to stdout: No space left on device").And.Not.Contain("Unhandled"), format);
        }
    }

    // A write failing half-way (here past `ulimit -f`, as on a full disk) left a truncated file, or,
    // for this error, crashed with a stack trace. The file is written beside and renamed once complete.
    [TestCase(".csv")]
    [TestCase(".json")]
    [TestCase(".parquet")]
    public void Output_WriteFailsHalfWay_Exit2_EarlierFileUnchanged_NothingLeftBeside(string extension)
    {
        var folder = Directory.CreateTempSubdirectory("gameapi-native-out-").FullName;
        try
        {
            var target = Path.Combine(folder, "rows" + extension);
            File.WriteAllText(target, "earlier\n");

            // Signals ignored stay ignored across exec: the write fails with EFBIG instead of killing the process.
            var outcome = AnalyticsProcess.Run(["bash", "-c", "ulimit -f 64; trap '' XFSZ; exec \"$0\" \"$@\"", _native],
                ["sql", "SELECT range AS n, repeat('x', 40) AS padding FROM range(100000)", "--input", _input, "--output", target], TimeSpan.FromMinutes(1));

            Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.Contain($"cannot write --output '{target}'").And.Contain("File too large").And.Not.Contain("Unhandled"));
            Assert.That(File.ReadAllText(target), Is.EqualTo("earlier\n"));
            Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EqualTo(new[] { "rows" + extension }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Kafka_SameAsInProcess()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 2);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            // Each event once: which copy of a resend is kept depends on the order partitions are read in.
            foreach (var line in Lines.Distinct())
            {
                producer.Produce("events", new Message<Null, string> { Value = line });
            }

            producer.Flush(TimeSpan.FromSeconds(10));
        }

        // Kafka's columns (partition, offset, time) are in the table too, and the same in both runs.
        foreach (var command in new[] { new[] { "report" }, ["sql", "SELECT * FROM events ORDER BY kafka_partition, kafka_offset"] })
        {
            // Without the cache, so that both read the topic and say so alike.
            string[] args = [.. command, "--bootstrap-servers", broker.BootstrapServers, "--format", "json", "--no-cache"];
            AssertSame(Native(args), AnalyticsRunner.Run(args));
        }
    }

    [Test]
    public void Kafka_CacheFilledNatively_ReadInProcess_SameAnswer() => WithTopicAndCache(2, (bootstrap, cache) =>
    {
        string[] args = ["report", "--bootstrap-servers", bootstrap, "--format", "json", "--cache-dir", cache];

        var native = Native(args);
        var inProcess = AnalyticsRunner.Run(args);
        TopicWriter.Write(bootstrap, "events", ["""{"event_type":"default","event_id":"5"}"""]);
        var nativeAgain = Native(args);

        Assert.That(native.ExitCode, Is.EqualTo(0), native.Stderr);
        Assert.That(native.Stderr, Does.Contain("Read 4 new events from Kafka and 0 from the cache"));
        Assert.That(inProcess.Stderr, Does.Contain("Read 0 new events from Kafka and 4 from the cache"));
        Assert.That(inProcess.Stdout, Is.EqualTo(native.Stdout));
        Assert.That(nativeAgain.Stderr, Does.Contain("Read 1 new event from Kafka and 4 from the cache"));
        Assert.That(nativeAgain.Stdout, Is.EqualTo(AnalyticsRunner.Run([.. args[..^2], "--no-cache"]).Stdout));
    });

    [Test]
    public void Kafka_CacheLockedByAnotherProcess_WaitsForIt() => WithTopicAndCache(1, (bootstrap, cache) =>
    {
        string[] args = ["sql", "SELECT COUNT(*) AS n FROM events", "--bootstrap-servers", bootstrap, "--format", "json", "--cache-dir", cache];
        Assert.That(Native(args).ExitCode, Is.EqualTo(0));

        // This process holds the lock as a run updating the cache would: the native run, another process, must wait.
        Task<AnalyticsOutcome> waiting;
        using (new FileStream(Path.Combine(Directory.GetDirectories(cache).Single(), "lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            waiting = Task.Run(() => Native(args));
            Thread.Sleep(2000);
            Assert.That(waiting.IsCompleted, Is.False, "the other process did not wait for the lock");
        }

        var outcome = waiting.Result;
        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Waiting for another run to finish updating the cache"));
        Assert.That((long)outcome.JsonRows[0]["n"]!, Is.EqualTo(4));
    });

    // A topic holding the distinct lines (four events, two junk messages), and an empty cache folder of the test's own.
    private static void WithTopicAndCache(int partitions, Action<string, string> test)
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", partitions);
        TopicWriter.Write(broker.BootstrapServers, "events", Lines.Distinct());
        var cache = Directory.CreateTempSubdirectory("gameapi-native-cache-").FullName;
        try
        {
            test(broker.BootstrapServers, cache);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Test]
    public void Kafka_Unreachable_Exit1Quickly()
    {
        var clock = Stopwatch.StartNew();
        var outcome = Native("report", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2");

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("127.0.0.1:1"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void Version_OtherLibrdkafkaOnLoaderPath_NamesTheCopyBesideTheBinary()
    {
        // The test host chose among the same files on this machine: the binary picks the same name.
        var shipped = ShippedLibrdkafka.Load();

        var outcome = AnalyticsProcess.Run([_native], ["--version"], TimeSpan.FromMinutes(1), OtherLibrdkafkaOnPath.Environment);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout.Split('\n')[1], Is.EqualTo($"librdkafka {shipped.Version} ({Path.Combine(_publish, Path.GetFileName(shipped.Path))})"));
    }

    [Test]
    public void Kafka_OtherLibrdkafkaOnLoaderPath_ReadsTheTopicMappingOnlyTheShippedCopy()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("events", 2);
        OtherLibrdkafkaOnPath.WriteEvents(broker.BootstrapServers, "events");

        var (outcome, mapped) = AnalyticsProcess.RunReadingMaps(
            [_native], OtherLibrdkafkaOnPath.ReadEverything(broker.BootstrapServers, "events"), TimeSpan.FromMinutes(1), OtherLibrdkafkaOnPath.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
            Assert.That(outcome.JsonRows.Select(r => r["event_id"]!.Value<string>()), Is.EquivalentTo(OtherLibrdkafkaOnPath.EventIds));
            Assert.That(OtherLibrdkafkaOnPath.StubFiles(mapped), Is.Empty, "the stub on LD_LIBRARY_PATH was loaded");
            Assert.That(OtherLibrdkafkaOnPath.MapsLibrdkafkaFrom(mapped, _publish), Is.True, "no librdkafka beside the binary mapped while it answered");
        });
    }

    [Test]
    public void NoShippedLibrdkafka_KafkaRead_Exit1WithOneLineNamingTheFolders()
    {
        var bare = CopyWithoutLibrdkafka();
        try
        {
            // Another librdkafka on the loader's path must not stand in for the missing one.
            var outcome = AnalyticsProcess.Run([Path.Combine(bare, "gameapi-analytics")], ["report", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2"],
                TimeSpan.FromMinutes(1), OtherLibrdkafkaOnPath.Environment);

            Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.StartWith("error: ").And.Contain("librdkafka").And.Contain(bare));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Test]
    public void NoShippedLibrdkafka_Version_Exit1NamingTheFolders()
    {
        var bare = CopyWithoutLibrdkafka();
        try
        {
            var outcome = AnalyticsProcess.Run([Path.Combine(bare, "gameapi-analytics")], ["--version"], TimeSpan.FromMinutes(1), OtherLibrdkafkaOnPath.Environment);

            Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stdout);
            Assert.That(outcome.Stderr, Does.StartWith("error: ").And.Contain("librdkafka").And.Contain(bare));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Test]
    public void NoShippedLibrdkafka_FileInput_Answers()
    {
        var bare = CopyWithoutLibrdkafka();
        try
        {
            var outcome = AnalyticsProcess.Run([Path.Combine(bare, "gameapi-analytics")], ["report", "--input", _input, "--format", "json"], TimeSpan.FromMinutes(1));

            AssertSame(outcome, AnalyticsRunner.Run("report", "--input", _input, "--format", "json"));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    // Debian's librdkafka 2.0.2 preloaded took over the shipped copy's calls to itself: a Kafka read
    // segfaulted, after --version had said the shipped copy was in use.
    [Test]
    public void Kafka_AnotherLibrdkafkaPreloaded_Exit1WithOneLineNamingIt() =>
        OtherLibrdkafkaOnPath.AssertRefusesPreloaded(AnalyticsProcess.Run(
            [_native], ["report", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2"], TimeSpan.FromMinutes(1), OtherLibrdkafkaOnPath.Preloaded));

    [Test]
    public void Version_AnotherLibrdkafkaPreloaded_Exit1WithOneLineNamingIt() =>
        OtherLibrdkafkaOnPath.AssertRefusesPreloaded(AnalyticsProcess.Run([_native], ["--version"], TimeSpan.FromMinutes(1), OtherLibrdkafkaOnPath.Preloaded));

    // A publish folder whose librdkafka files were replaced by another version: refused by name, not run.
    [Test]
    public void ShippedLibrdkafkaOfAnotherVersion_KafkaRead_Exit1NamingBoth()
    {
        var bare = CopyOf("gameapi-analytics", "libduckdb.so");
        try
        {
            foreach (var name in new[] { "librdkafka.so", "centos8-librdkafka.so" })
            {
                File.Copy(Path.Combine(StubLibrdkafka.Folder, "librdkafka.so"), Path.Combine(bare, name));
            }

            var outcome = AnalyticsProcess.Run([Path.Combine(bare, "gameapi-analytics")], ["report", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2"], TimeSpan.FromMinutes(1));

            Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr, Is.EqualTo(
                $"error: Found librdkafka 2.0.2-stub at {Path.Combine(bare, "librdkafka.so")}, but this program was built with librdkafka {ShippedLibrdkafka.Load().Version}: reinstall the published folder.\n"));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    // The executable copied alone (to /usr/local/bin, say): DuckDB's missing library was a stack trace, and on a
    // Kafka read it replaced the librdkafka line (the engine's disposal rethrew DuckDB's failure over it).
    [Test]
    public void LoneExecutable_KafkaRead_Exit1WithTheLibrdkafkaLine()
    {
        var bare = CopyOf("gameapi-analytics");
        try
        {
            var outcome = AnalyticsProcess.Run([Path.Combine(bare, "gameapi-analytics")], ["report", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "2"], TimeSpan.FromMinutes(1));

            Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.StartWith("error: The librdkafka shipped with this program is missing: ")
                .And.Contain(bare).And.EndWith("copy the whole publish folder.\n"));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Test]
    public void LoneExecutable_FileInput_Exit1NamingLibduckdb()
    {
        var bare = CopyOf("gameapi-analytics");
        try
        {
            // Events without a junk line or a resend, which would add their notices before the error.
            var input = AnalyticsRunner.WriteLines(Lines[1], Lines[3]);
            var outcome = AnalyticsProcess.Run([Path.Combine(bare, "gameapi-analytics")], ["report", "--input", input], TimeSpan.FromMinutes(1));

            Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.StartWith("error: libduckdb.so, a part of this program, is missing: ")
                .And.Contain(bare).And.EndWith("copy the whole publish folder, not the executable alone.\n"));
        }
        finally
        {
            Directory.Delete(bare, recursive: true);
        }
    }

    [Test]
    public async Task Spark_SameAsInProcess()
    {
        await using var server = await StandInSparkConnectServer.StartAsync();
        server.ServeEvents([
            """{"event_type":"purchase_item","item":"sword","User-Agent":"GameClient/1"}""",
            """{"event_type":"join_guild","guild_id":7,"meta":{"a":[1]}}""",
            "junk",
        ]);

        foreach (var command in new[] { new[] { "report" }, ["schema"], ["sql", "SELECT event_type, 1.5 AS x FROM events ORDER BY 1; SELECT 2 AS y"] })
        {
            string[] args = [.. command, "--engine", "spark", "--spark-remote", $"sc://{server.Address}", "--format", "json"];
            var native = Native(args);
            Assert.That(native.ExitCode, Is.EqualTo(0), native.Stderr);
            AssertSame(native, AnalyticsRunner.Run(args));
        }
    }

    [Test]
    public async Task Spark_CtrlC_InterruptsTheOperation_CleansUp_Exit130()
    {
        await using var server = await StandInSparkConnectServer.StartAsync();
        server.ServeEvents(["""{"event_type":"default"}"""]);
        server.Behaviour.Version = SparkVersion.V35;
        server.Behaviour.SlowCommand = "CACHE TABLE gameapi_records"; // the topic's read: minutes, silent
        server.Behaviour.WorkTime = TimeSpan.FromMinutes(5);

        var outcome = AnalyticsProcess.RunInterrupted([_native], ["report", "--engine", "spark", "--spark-remote", $"sc://{server.Address}"], () =>
        {
            var reading = server.Behaviour.Requests.ToList().Any(r => r.Plan.Command?.SqlCommand?.Sql?.StartsWith("CACHE TABLE gameapi_records", StringComparison.Ordinal) == true);
            if (reading)
            {
                Thread.Sleep(300);
                server.Behaviour.WorkTime = TimeSpan.Zero; // the clean-up that follows is quick
            }

            return reading;
        }, TimeSpan.FromSeconds(30));

        Assert.That(outcome.ExitCode, Is.EqualTo(130), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Interrupted."));
        Assert.That(server.Behaviour.Interrupted, Has.Count.EqualTo(1));
        Assert.That(server.Behaviour.Cached, Is.Empty);
    }

    // The binary and DuckDB's library in a folder of their own: a publish whose librdkafka files were lost.
    private string CopyWithoutLibrdkafka() => CopyOf("gameapi-analytics", "libduckdb.so");

    // These files of the publish folder in a folder of their own.
    private string CopyOf(params string[] files)
    {
        var bare = Directory.CreateTempSubdirectory("gameapi-native-bare-").FullName;
        foreach (var file in files)
        {
            File.Copy(Path.Combine(_publish, file), Path.Combine(bare, file));
        }

        return bare;
    }

    private static List<string> ParquetRows(string path) =>
        AnalyticsRunner.ReadBack($"SELECT * FROM read_parquet('{path}')").Select(r => string.Join("|", r.Select(v => v?.ToString() ?? "NULL"))).ToList();

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GameApi.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GameApi.sln not found above " + AppContext.BaseDirectory);
    }
}
