namespace GameApi.Tests.Analytics;

/// <summary>
/// What a data person sees on odd input to the command line: a clear message and an exit code, never a
/// stack trace; and every output says what it wrote.
/// </summary>
public class CliAnswersTests
{
    private static readonly string[] Events =
    [
        """{"event_type":"default","timestamp":"2026-12-01T10:00:00.000Z"}""",
        """{"event_type":"purchase_item","item":"sword","timestamp":"2026-12-01T10:01:00.000Z"}""",
        """{"event_type":"join_guild","guild_id":7,"timestamp":"2026-12-01T10:02:00.000Z"}""",
    ];

    private static string File(params string[] lines) => AnalyticsRunner.WriteLines(lines);

    private static string OutputPath(string extension) => TestRunFolder.NewPath("out", extension);

    [TestCase("--output", "")]
    [TestCase("--output", " ")]
    [TestCase("--output")]
    [TestCase("--input", "")]
    [TestCase("--cache-dir", "")]
    public void PathOptionEmptyOrMissing_Exit2NamingTheOption(params string[] option)
    {
        string[] input = option[0] == "--input" ? [] : ["--input", File(Events)];

        var outcome = AnalyticsRunner.Run(["report", .. input, .. option]);

        Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.StartWith("error: ").And.Contain(option[0]));
        Assert.That(outcome.Stderr, Does.Not.Contain("System.").And.Not.Contain("Unhandled"));
    }

    [TestCase("SELECT $1")]
    [TestCase("SELECT ?")]
    public void Sql_Parameter_SqlErrorExit2(string query)
    {
        var outcome = AnalyticsRunner.Run("sql", query, "--input", File(Events));

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.StartWith("SQL error: "));
        Assert.That(outcome.Stderr, Does.Contain("parameter"));
    }

    [TestCase("-- only a comment")]
    [TestCase("/* c */")]
    [TestCase(";")]
    [TestCase(" ; ; ")]
    public void Sql_NoStatement_Exit2WithAnExample(string query)
    {
        var outcome = AnalyticsRunner.Run("sql", query, "--input", File(Events));

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.StartWith("error: The query is empty; for example: sql \"SELECT"));
    }

    // As the help and docs say: the last statement's result, and a last statement without one prints nothing.
    [Test]
    public void Sql_LastStatementWithoutResult_SaysDoneAndPrintsNothing()
    {
        var outcome = AnalyticsRunner.Run("sql", "SELECT 1 AS a; CREATE TABLE z (a INTEGER)", "--input", File(Events));

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout, Is.Empty);
        Assert.That(outcome.Stderr, Does.Contain("Done: the statement returns no result."));
    }

    [TestCase("CREATE TABLE kinds AS SELECT DISTINCT event_type FROM events; SELECT COUNT(*) AS n FROM kinds", 3L)]
    [TestCase("SELECT COUNT(*) AS n FROM events;", 3L)]
    [TestCase("SELECT COUNT(*) AS n FROM events -- every event", 3L)]
    [TestCase("SELECT COUNT(*) AS n FROM events /* every event */ ;", 3L)]
    public void Sql_ParquetOutput_TheLastStatementsResult(string query, long expected)
    {
        var path = OutputPath(".parquet");

        var outcome = AnalyticsRunner.Run("sql", query, "--input", File(Events), "--output", path);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(AnalyticsRunner.ReadBack($"SELECT n FROM read_parquet('{path}')").Single()[0], Is.EqualTo(expected));
    }

    [Test]
    public void Sql_ParquetOutputNotWritable_Exit2AsAnOutputError()
    {
        var outcome = AnalyticsRunner.Run("report", "--input", File(Events), "--output", "/proc/gameapi-report.parquet");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.StartWith("error: cannot write --output '/proc/gameapi-report.parquet'"));
    }

    [TestCase(".csv")]
    [TestCase(".json")]
    [TestCase(".html")]
    [TestCase(".parquet")]
    public void Report_OutputFile_SaysWhereItWrote(string extension)
    {
        var path = OutputPath(extension);

        var outcome = AnalyticsRunner.Run("report", "--input", File(Events), "--output", path);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Match($"Wrote .*{System.Text.RegularExpressions.Regex.Escape(path)}"));
    }

    [Test]
    public void Sql_OneRowToAFile_SingularRow()
    {
        var path = OutputPath(".csv");

        var outcome = AnalyticsRunner.Run("sql", "SELECT 1 AS a", "--input", File(Events), "--output", path);

        Assert.That(outcome.Stderr, Does.Contain($"Wrote 1 row to {path}."));
    }

    [Test]
    public void Report_HtmlWithATimeWindow_OneSentencePerPart()
    {
        var path = OutputPath(".html");

        var input = File(Events);

        var outcome = AnalyticsRunner.Run("report", "--input", input, "--since", "2026-12-01T10:01:00Z", "--output", path);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(System.IO.File.ReadAllText(path), Does.Contain(
            $"2 events from {input}. Events with a timestamp from 2026-12-01 10:01:00.000000 (UTC). Generated "));
    }

    // A key may be empty in JSON: it is a field like any other, not a failed query.
    [Test]
    public void EmptyKey_IsAColumn()
    {
        var input = File("""{"event_type":"a","":1}""", """{"event_type":"b"}""");

        var report = AnalyticsRunner.Run("report", "--input", input);
        var rows = AnalyticsRunner.Run("sql", "SELECT event_type, field FROM events ORDER BY event_type", "--input", input, "--format", "json");

        Assert.That(report.ExitCode, Is.EqualTo(0), report.Stderr);
        Assert.That(rows.ExitCode, Is.EqualTo(0), rows.Stderr);
        Assert.That(rows.JsonRows.Select(r => (long?)r["field"]), Is.EqualTo(new long?[] { 1, null }));
    }

    // Two spellings of one field in one event are one event carrying the column.
    [Test]
    public void Schema_TwoSpellingsInOneEvent_CountedOnce()
    {
        var input = File("""{"event_type":"a","Host":"H","host":"h"}""", """{"event_type":"b","host":"h2"}""");

        var rows = AnalyticsRunner.Run("schema", "--input", input, "--format", "json").JsonRows;

        var host = rows.Single(r => (string?)r["column"] == "host");
        Assert.That((long)host["events"]!, Is.EqualTo(2));
        Assert.That((double)host["percent"]!, Is.EqualTo(100.0));
    }

    // A JSON null and a timestamp that is no time are no value in the table: counted as COUNT(column)
    // counts them, whichever way the counts are made (one unrelated line switched the way).
    [Test]
    public void Schema_NullsAndOddTimesNotCounted_HoweverCounted()
    {
        string[] events =
        [
            """{"event_type":"a","item":null,"timestamp":"garbage"}""",
            """{"event_type":"b","item":null,"timestamp":1700000000}""",
            """{"event_type":"c","item":"sword","timestamp":"2026-12-01T10:00:00Z"}""",
            """{"event_type":"d","timestamp":null}""",
        ];

        var counts = Counts(File(events));
        var withTwoSpellings = Counts(File([.. events, """{"Event_Type":"e"}"""]));
        var query = AnalyticsRunner.Run("sql", "SELECT COUNT(item) AS item, COUNT(timestamp) AS ts FROM events", "--input", File(events), "--format", "json").JsonRows.Single();

        Assert.That((counts["item"], counts["timestamp"]), Is.EqualTo((1L, 1L)));
        Assert.That((counts["item"], counts["timestamp"]), Is.EqualTo(((long)query["item"]!, (long)query["ts"]!)));
        Assert.That((withTwoSpellings["item"], withTwoSpellings["timestamp"]), Is.EqualTo((1L, 1L)));

        static Dictionary<string, long> Counts(string input) => AnalyticsRunner.Run("schema", "--input", input, "--format", "json").JsonRows
            .ToDictionary(r => (string)r["column"]!, r => (long)r["events"]!);
    }

    [Test]
    public void SparkWithParquetOutput_Exit2BeforeConnecting()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var outcome = AnalyticsRunner.Run("report", "--engine", "spark", "--spark-remote", "sc://127.0.0.1:1", "--timeout", "30", "--output", OutputPath(".parquet"));

        Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Parquet output is written by the embedded engine only"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("a b")]
    [TestCase("127.0.0.1:99999")]
    [TestCase("host:port")]
    public void BootstrapServersUnusable_Exit2AtOnce(string servers)
    {
        var outcome = AnalyticsRunner.Run("report", "--bootstrap-servers", servers, "--timeout", "30");

        Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.StartWith("error: --bootstrap-servers"));
    }

    [Test]
    public void TopicEmpty_Exit2()
    {
        var outcome = AnalyticsRunner.Run("report", "--topic", "", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "30");

        Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.StartWith("error: --topic"));
    }

    // With a terminal on stderr the run draws a progress line, sized from the input before it is read.
    [Test]
    public void MissingInput_WithTheProgressLine_Exit1NamingTheFile()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = GameApi.Analytics.Cli.AnalyticsCli.Run(["report", "--input", "/no/such/events.jsonl"], stdout, stderr, interactive: true);

        Assert.That(code, Is.EqualTo(1), stderr.ToString());
        Assert.That(stderr.ToString(), Does.StartWith("error: Input file '/no/such/events.jsonl' does not exist."));
    }

    // A compressed file, say: an empty report would look like an answer.
    [Test]
    public void NoLineIsAnEvent_Exit1SayingSo()
    {
        var outcome = AnalyticsRunner.Run("report", "--input", File("not json", "[1]", "\"text\""));

        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.StartWith("error: None of the 3 lines of ").And.Contain("holds no events"));
        Assert.That(outcome.Stdout, Is.Empty);
    }

    [Test]
    public void GzipFile_Exit1NamingThePipe()
    {
        var path = TestRunFolder.NewPath("events", ".jsonl.gz");
        using (var gzip = new System.IO.Compression.GZipStream(System.IO.File.Create(path), System.IO.Compression.CompressionLevel.Optimal))
        using (var writer = new StreamWriter(gzip))
        {
            foreach (var line in Events)
            {
                writer.WriteLine(line);
            }
        }

        var outcome = AnalyticsRunner.Run("report", "--input", path);

        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.Contain($"It is gzip-compressed: zcat '{path}' | gameapi-analytics"));
    }

    // Through a pipe (zcat forgotten at the other end) the input's name is the pipe's, no file to hand zcat.
    [Test]
    public void GzipThroughAPipe_Exit1_AdviceNamesNoPipe()
    {
        var pipe = TestRunFolder.NewPath("events", ".pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            mkfifo.WaitForExit();
        }

        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", Events) + "\n"));
        }

        var writing = Task.Run(() => System.IO.File.WriteAllBytes(pipe, compressed.ToArray()));

        var outcome = AnalyticsRunner.Run("report", "--input", pipe);

        Assert.That(writing.Wait(TimeSpan.FromSeconds(10)), Is.True, "the writer did not end");
        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stdout + outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("It is gzip-compressed: zcat FILE | gameapi-analytics ... --input /dev/stdin.").And.Not.Contain($"zcat '{pipe}'"));
    }
}
