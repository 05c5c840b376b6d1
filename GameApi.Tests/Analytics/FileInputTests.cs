using System.Runtime.Versioning;
using GameApi.Analytics.Cli;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>The command line over JSON Lines files: the table, the schema, junk, errors and every output format.</summary>
public class FileInputTests
{
    // The original's flaw: the first events carry only event_type, later ones the rest.
    private static readonly string[] Events =
    [
        """{"event_type":"default"}""",
        """{"event_type":"default"}""",
        """{"event_type":"purchase_item","item":"sword","User-Agent":"GameClient/1.0","Host":"h"}""",
        """{"event_type":"join_guild","guild_id":7,"User-Agent":"GameClient/1.0"}""",
        """{"event_type":"join_guild","guild_id":"invalid","meta":{"tags":["a","b"]},"note":"żółw ☃ 😀"}""",
    ];

    private readonly List<string> _files = [];

    private string File(params string[] lines)
    {
        var path = AnalyticsRunner.WriteLines(lines);
        _files.Add(path);
        return path;
    }

    private string TempPath(string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gameapi-out-{Guid.NewGuid():N}{extension}");
        _files.Add(path);
        return path;
    }

    [TearDown]
    public void DeleteFiles() => _files.ForEach(System.IO.File.Delete);

    [Test]
    public void Events_LaterFieldsAreColumns_NullWhereAbsent()
    {
        var outcome = AnalyticsRunner.Run("events", "--input", File(Events), "--format", "json");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        var rows = outcome.JsonRows;
        Assert.That(rows, Has.Count.EqualTo(5));
        var first = (JObject)rows[0];
        Assert.That(first.Properties().Select(p => p.Name), Is.SupersetOf(new[] { "event_type", "item", "guild_id", "user_agent", "host", "meta", "note", "kafka_partition", "kafka_offset", "kafka_timestamp" }));
        Assert.That(first["item"]!.Type, Is.EqualTo(JTokenType.Null));
        Assert.That(first["kafka_offset"]!.Type, Is.EqualTo(JTokenType.Null));
        Assert.That(rows[2]["item"]!.Value<string>(), Is.EqualTo("sword"));
        Assert.That(rows[2]["user_agent"]!.Value<string>(), Is.EqualTo("GameClient/1.0"));
    }

    [Test]
    public void KeysDifferingOnlyInCase_OneColumn_EverySpellingRead()
    {
        var input = File(
            """{"event_type":"a","Host":"A","User-Agent":"x"}""",
            """{"event_type":"b","host":"b","user-agent":"y"}""",
            """{"event_type":"c","HOST":"C","n":1}""");

        var rows = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "SELECT event_type, host, user_agent, n FROM events ORDER BY event_type").JsonRows;
        var schema = AnalyticsRunner.Run("schema", "--input", input, "--format", "json").JsonRows;

        Assert.That(rows.Select(r => (string?)r["host"]), Is.EqualTo(new[] { "A", "b", "C" }));
        Assert.That(rows.Select(r => (string?)r["user_agent"]), Is.EqualTo(new[] { "x", "y", null }));
        Assert.That(rows.Select(r => (long?)r["n"]), Is.EqualTo(new long?[] { null, null, 1 }));
        Assert.That((long)schema.Single(r => (string)r["column"]! == "host")["events"]!, Is.EqualTo(3));
    }

    // Headers an older API wrote beside the event's own fields, spelled otherwise: the event's own value counts.
    [Test]
    public void HeaderSpelledLikeAField_TheEventsOwnValueCounts()
    {
        var input = File(
            """{"event_type":"default","Event-Type":"purchase_item","Guild-Id":"42","event_id":"a"}""",
            """{"event_type":"join_guild","guild_id":1,"Guild-Id":"42","Event-Id":"z","event_id":"b"}""");

        var rows = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "SELECT event_type, guild_id, event_id FROM events ORDER BY event_id").JsonRows;

        Assert.That(rows.Select(r => (string?)r["event_type"]), Is.EqualTo(new[] { "default", "join_guild" }));
        Assert.That(rows.Select(r => (string?)r["guild_id"]), Is.EqualTo(new[] { "42", "1" }));
        Assert.That(rows.Select(r => (string?)r["event_id"]), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Timestamp_IsATimestampInUtc_OffsetApplied_OddValuesNull()
    {
        var input = File(
            """{"event_type":"a","timestamp":"2026-12-03T21:02:06.1234567+02:00"}""",
            """{"event_type":"b","timestamp":"2026-11-01T00:00:00.007Z"}""",
            """{"event_type":"c","timestamp":"yesterday"}""",
            """{"event_type":"d","timestamp":5}""");

        var rows = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "SELECT timestamp, typeof(timestamp) AS type FROM events").JsonRows;
        var schema = AnalyticsRunner.Run("schema", "--input", input, "--format", "json").JsonRows;

        Assert.That(rows.Select(r => (string?)r["timestamp"]), Is.EqualTo(new[] { "2026-12-03 19:02:06.123456", "2026-11-01 00:00:00.007", null, null }));
        Assert.That(rows.Select(r => (string)r["type"]!).Distinct(), Is.EqualTo(new[] { "TIMESTAMP" }));
        Assert.That((string)schema.Single(r => (string)r["column"]! == "timestamp")["type"]!, Is.EqualTo("timestamp"));
    }

    // DuckDB's zoned cast keeps the zone of the last value that named one for the zone-less values after it.
    [Test]
    public void Timestamp_ANamedZone_DoesNotShiftTheZonelessValuesAfterIt()
    {
        var input = File(
            """{"event_type":"a","timestamp":"2026-12-03T10:00:00"}""",
            """{"event_type":"b","timestamp":"2026-12-03T21:02:06 America/New_York"}""",
            """{"event_type":"c","timestamp":"2026-12-03T10:00:00"}""",
            """{"event_type":"d","timestamp":"2026-12-03"}""",
            """{"event_type":"e","timestamp":"2026-12-03 10:00:00.5"}""");

        var rows = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "SELECT event_type, timestamp FROM events ORDER BY event_type").JsonRows;

        Assert.That(rows.Select(r => (string?)r["timestamp"]),
            Is.EqualTo(new[] { "2026-12-03 10:00:00", "2026-12-04 02:02:06", "2026-12-03 10:00:00", "2026-12-03 00:00:00", "2026-12-03 10:00:00.5" }));
    }

    // DuckDB reads these as times; .NET holds none of them, and one used to crash every report.
    [TestCase("infinity")]
    [TestCase("-infinity")]
    [TestCase("epoch")]
    [TestCase("10000-01-01T00:00:00Z")]
    [TestCase("9999-12-31T23:59:59-05:00")]
    [TestCase("0001-01-01T00:00:00+05:00")]
    [TestCase("0000-06-01T00:00:00Z")]
    [TestCase("-2026-12-03T21:02:06Z")]
    public void Timestamp_NotWithinTheYears1To9999_IsNull_ReportsRun(string odd)
    {
        var input = File(
            """{"event_type":"a","timestamp":"2026-12-03T21:02:06Z"}""",
            $$"""{"event_type":"b","timestamp":"{{odd}}"}""");

        var rows = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "SELECT event_type, timestamp FROM events ORDER BY event_type").JsonRows;
        var report = AnalyticsRunner.Run("report", "--input", input, "--format", "json");

        Assert.That(rows.Select(r => (string?)r["timestamp"]), Is.EqualTo(new[] { "2026-12-03 21:02:06", null }));
        Assert.That(report.ExitCode, Is.EqualTo(0), report.Stderr);
        Assert.That(JObject.Parse(report.Stdout)["events_over_time"]!.Select(r => (long)r["events"]!), Is.EqualTo(new[] { 1L }));
    }

    // With a window the columns are counted by a query (ColumnCounts): a field named null, true or
    // distinct is a column, not a literal or a keyword.
    [Test]
    public void Schema_InAWindow_KeywordNamedFieldsCountedAsColumns()
    {
        var input = File(
            """{"event_type":"a","timestamp":"2026-12-03T10:00:00Z","null":"x","true":1,"false":2,"distinct":"d","case":"c"}""",
            """{"event_type":"b","timestamp":"2026-12-03T11:00:00Z"}""");

        var outcome = AnalyticsRunner.Run("schema", "--input", input, "--format", "json", "--since", "2026-12-01");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        var events = outcome.JsonRows.ToDictionary(r => (string)r["column"]!, r => (long)r["events"]!);
        Assert.That(new[] { "null", "true", "false", "distinct", "case" }.Select(c => events[c]), Has.All.EqualTo(1L));
    }

    // Spark's cast reads these too (a time of day dated today); both engines leave them NULL
    // (SparkEventsSql gates the cast on a leading yyyy-mm-dd, pinned in SparkEngineTests).
    [TestCase("2026")]
    [TestCase("2026-03")]
    [TestCase("10:15:00")]
    [TestCase("T10:15:00")]
    [TestCase(" 2026-12-03T10:00:00Z")]
    public void Timestamp_NotStartingWithADate_IsNull(string odd)
    {
        var input = File($$"""{"event_type":"a","timestamp":"{{odd}}"}""");

        var rows = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "SELECT timestamp FROM events").JsonRows;

        Assert.That(rows.Select(r => (string?)r["timestamp"]), Is.EqualTo(new string?[] { null }));
    }

    [Test]
    public void Sql_ATimeDotNetCannotHold_Exit2WithAdvice()
    {
        var outcome = AnalyticsRunner.Run("sql", "--input", File(Events), "SELECT CAST('infinity' AS TIMESTAMP) AS t");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain("Column t holds a time this program cannot show").And.Contain("CAST(t AS VARCHAR)").And.Not.Contain("   at "));
    }

    [Test]
    public void Events_MixedTypesAreText_NestedIsJsonText_NonAsciiKept()
    {
        var rows = AnalyticsRunner.Run("events", "--input", File(Events), "--format", "json").JsonRows;

        Assert.That(rows[3]["guild_id"]!.Value<string>(), Is.EqualTo("7"));
        Assert.That(rows[4]["guild_id"]!.Value<string>(), Is.EqualTo("invalid"));
        Assert.That(JToken.Parse(rows[4]["meta"]!.Value<string>()!), Is.EqualTo(JToken.Parse("""{"tags":["a","b"]}""")).Using<JToken>((a, b) => JToken.DeepEquals(a, b) ? 0 : 1));
        Assert.That(rows[4]["note"]!.Value<string>(), Is.EqualTo("żółw ☃ 😀"));
    }

    [Test]
    public void Events_LimitsRows_SayingSoWhenThereAreMore()
    {
        var two = AnalyticsRunner.Run("events", "--input", File(Events), "--format", "json", "--limit", "2");
        var five = AnalyticsRunner.Run("events", "--input", File(Events), "--format", "json", "--limit", "5");
        var all = AnalyticsRunner.Run("events", "--input", File(Events), "--format", "json", "--limit", "0");

        Assert.That(two.JsonRows, Has.Count.EqualTo(2));
        Assert.That(two.Stderr, Does.Contain("Only the first 2 rows: --limit 0 for all."));
        Assert.That(five.JsonRows, Has.Count.EqualTo(5));
        Assert.That(five.Stderr, Does.Not.Contain("Only the first"), "exactly as many events as the limit: none left out");
        Assert.That(all.JsonRows, Has.Count.EqualTo(5));
    }

    [Test]
    public void Schema_ListsEachColumnWithTypeAndShare()
    {
        var rows = AnalyticsRunner.Run("schema", "--input", File(Events), "--format", "json").JsonRows;
        JToken Row(string column) => rows.Single(r => r["column"]!.Value<string>() == column);

        Assert.That(Row("event_type")["type"]!.Value<string>(), Is.EqualTo("text"));
        Assert.That(Row("event_type")["percent"]!.Value<double>(), Is.EqualTo(100));
        Assert.That(Row("guild_id")["type"]!.Value<string>(), Is.EqualTo("text"));
        Assert.That(Row("guild_id")["events"]!.Value<long>(), Is.EqualTo(2));
        Assert.That(Row("item")["percent"]!.Value<double>(), Is.EqualTo(20));
    }

    [Test]
    public void Junk_SkippedAndCountedOnStderr()
    {
        var outcome = AnalyticsRunner.Run("sql", "SELECT COUNT(*) AS n FROM events", "--input",
            File("not json", """{"event_type":"default"}""", "[1,2]", "", "\"text\"", """{"event_type":"default",}"""), "--format", "json");

        Assert.That(outcome.ExitCode, Is.EqualTo(0));
        Assert.That(outcome.JsonRows[0]["n"]!.Value<long>(), Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.Contain("Skipped 5 lines"));
    }

    // Valid JSON that DuckDB refuses: before, one such line failed every query over the file ("SQL error:
    // ... has duplicate key", "no low surrogate in string", "unterminated quoted identifier").
    [Test]
    public void ObjectsTheEngineRefuses_SkippedAndCounted_TheRestAnswered()
    {
        var input = File("""{"event_type":"default","item":"a"}""", """{"event_type":"default","event_type":"purchase_item"}""",
            """{"event_type":"\ud800"}""", """{"event_type":"default","n":{"\udc00":1}}""", """{"event_type":"default","k\u0000":1}""",
            """{"event_type":"default","item":"\ud83d\ude00"}""");

        foreach (var command in new[] { new[] { "report" }, ["sql", "SELECT item FROM events ORDER BY item"], ["schema"] })
        {
            var outcome = AnalyticsRunner.Run([.. command, "--input", input, "--format", "json"]);

            Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.Contain("Skipped 4 lines that are not readable JSON objects."));
        }

        Assert.That(AnalyticsRunner.Run("sql", "SELECT item FROM events ORDER BY item", "--input", input, "--format", "json").JsonRows.Select(r => (string?)r["item"]),
            Is.EqualTo(new[] { "a", "😀" }));
    }

    // Values come from any game client: printed raw, an ESC sequence acted on the data person's terminal
    // (colours, its title, worse) and a newline split the row. The table shows them; CSV and JSON keep them.
    [Test]
    public void Table_ControlCharactersShownAsEscapes_CsvAndJsonKeepThem()
    {
        var input = File("""{"event_type":"default","User-Agent":"a\u001b[2J\u0007\nb\u202ec\u2028d"}""");
        const string sql = "SELECT user_agent FROM events";

        var table = AnalyticsRunner.Run("sql", sql, "--input", input);
        var csv = AnalyticsRunner.Run("sql", sql, "--input", input, "--format", "csv");
        var json = AnalyticsRunner.Run("sql", sql, "--input", input, "--format", "json");

        Assert.That(table.ExitCode, Is.EqualTo(0), table.Stderr);
        Assert.That(table.Stdout, Does.Contain(@"a\u001b[2J\u0007\nb\u202ec\u2028d"));
        Assert.That(table.Stdout.Where(c => (char.IsControl(c) && c != '\n') || c is '\u202e' or '\u2028'), Is.Empty);
        Assert.That(table.Stdout.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal)), Is.EqualTo(2), "the header and one row");
        Assert.That(csv.Stdout, Does.Contain("a\u001b[2J\u0007\nb\u202ec\u2028d"));
        Assert.That((string?)json.JsonRows[0]["user_agent"], Is.EqualTo("a\u001b[2J\u0007\nb\u202ec\u2028d"));
    }

    // No value may read as another in the table: a newline and the two characters \n, a name with a
    // zero-width space or a bidi mark and the plain name. A cut cell keeps whole characters.
    [Test]
    public void Table_LookAlikesShownApart_CellsCutBetweenCharacters()
    {
        var input = File(
            """{"event_type":"a","User-Agent":"x\ny"}""",
            """{"event_type":"b","User-Agent":"x\\ny"}""",
            """{"event_type":"c","User-Agent":"ad\u200bmin\u200e\u00ad\ufeff"}""",
            $$"""{"event_type":"d","User-Agent":"{{new string('a', 38)}}😀😀"}""");

        var table = AnalyticsRunner.Run("sql", "SELECT user_agent FROM events ORDER BY event_type", "--input", input);

        Assert.That(table.ExitCode, Is.EqualTo(0), table.Stderr);
        var cells = table.Stdout.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).Select(l => l.Trim('|', ' ')).ToList();
        Assert.That(cells, Is.EqualTo(new[] { @"x\ny", @"x\\ny", @"ad\u200bmin\u200e\u00ad\ufeff", new string('a', 38) + "…" }));
    }

    // JSON is UTF-8 (RFC 8259) and so are the events: a locale naming another character set must not turn
    // the characters it lacks into '?' on the way out.
    [Test]
    public void Stdout_Utf8_WhateverTheLocale()
    {
        var input = File("""{"event_type":"é😀"}""");

        var outcome = AnalyticsProcess.Run(AnalyticsProcess.Jit, ["sql", "SELECT event_type FROM events", "--input", input, "--format", "json"], TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["LC_ALL"] = "en_US.ISO-8859-1", ["LANG"] = "en_US.ISO-8859-1" });

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That((string?)outcome.JsonRows.Single()["event_type"], Is.EqualTo("é😀"));
    }

    // An empty text and a missing value are apart in CSV too: "" and nothing, as DuckDB's own CSV writes them.
    [Test]
    public void Csv_EmptyTextQuoted_MissingEmpty()
    {
        var input = File("""{"event_type":"a","User-Agent":""}""", """{"event_type":"b"}""");

        var csv = AnalyticsRunner.Run("sql", "SELECT event_type, user_agent FROM events ORDER BY event_type", "--input", input, "--format", "csv");

        Assert.That(csv.ExitCode, Is.EqualTo(0), csv.Stderr);
        Assert.That(csv.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("event_type,user_agent\na,\"\"\nb,\n"));
    }

    // Windows editors and PowerShell's Out-File start a UTF-8 file with one; DuckDB refuses it.
    [Test]
    public void ByteOrderMark_Ignored_TheFirstEventRead()
    {
        var input = File("\uFEFF" + """{"event_type":"a"}""", """{"event_type":"b"}""");

        var outcome = AnalyticsRunner.Run("sql", "SELECT event_type FROM events ORDER BY event_type", "--input", input, "--format", "json");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows.Select(r => (string?)r["event_type"]), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(outcome.Stderr, Does.Not.Contain("Skipped"));
    }

    // What `zcat events.jsonl.gz | gameapi-analytics --input /dev/stdin` and `--input <(...)` hand it:
    // a pipe, which can be read only once, from the start.
    [Test]
    public void Pipe_ReadLikeAFile()
    {
        var pipe = TempPath(".jsonl");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            mkfifo.WaitForExit();
        }

        var writing = Task.Run(() => System.IO.File.WriteAllLines(pipe, [.. Events, "junk"]));

        var outcome = AnalyticsRunner.Run("sql", "SELECT event_type, COUNT(*) AS n FROM events GROUP BY event_type ORDER BY event_type", "--input", pipe, "--format", "json");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows.Select(r => $"{r["event_type"]}={r["n"]}"), Is.EqualTo(new[] { "default=2", "join_guild=2", "purchase_item=1" }));
        Assert.That(outcome.Stderr, Does.Contain("Skipped 1 line"));
        Assert.That(writing.Wait(TimeSpan.FromSeconds(10)), Is.True, "the pipe was not read to its end");
    }

    [Test]
    public void Resends_CountedOncePerEventId()
    {
        const string once = """{"event_type":"default","event_id":"0b5e1f9a-3c1d-4e55-9a0b-7d2a1c3e4f50"}""";
        var outcome = AnalyticsRunner.Run("report", "--input", File(once, once, """{"event_type":"default"}""", """{"event_type":"default"}"""), "--format", "json");

        Assert.That(outcome.JsonObject["events_per_type"]![0]!["events"]!.Value<long>(), Is.EqualTo(3));
        Assert.That(outcome.Stderr, Does.Contain("Counted 1 resent event once"));
    }

    [Test]
    public void Resends_InALargeFileReadInParallel_CountedOnce()
    {
        // Over 8 MiB, so two threads scan it: the repeat is in the other thread's half.
        var lines = Enumerable.Range(0, 60_000).Select(i =>
            $$"""{"event_type":"default","event_id":"{{new Guid(i, 0, 0, new byte[8])}}","padding":"{{new string('x', 100)}}"}""").ToArray();
        lines[^1] = lines[5];

        var outcome = AnalyticsRunner.Run("sql", "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids FROM events", "--input", File(lines), "--format", "json");

        Assert.That(new FileInfo(_files[^1]).Length, Is.GreaterThan(8 << 20));
        Assert.That(outcome.JsonRows[0]["n"]!.Value<long>(), Is.EqualTo(59_999));
        Assert.That(outcome.JsonRows[0]["ids"]!.Value<long>(), Is.EqualTo(59_999));
        Assert.That(outcome.Stderr, Does.Contain("Counted 1 resent event once"));
    }

    [Test]
    public void EmptyFile_EmptyResultWithAllKnownColumns()
    {
        var outcome = AnalyticsRunner.Run("sql", "SELECT event_type, item, guild_id, user_agent FROM events", "--input", File(), "--format", "json");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows, Is.Empty);
    }

    [Test]
    public void Report_CountsPerTypeItemGuildAndUserAgent()
    {
        var report = AnalyticsRunner.Run("report", "--input", File(Events), "--format", "json").JsonObject;

        Assert.That(report["events_per_type"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """[{"event_type":"default","events":2},{"event_type":"join_guild","events":2},{"event_type":"purchase_item","events":1}]"""));
        Assert.That(report["purchases_per_item"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo("""[{"item":"sword","events":1}]"""));
        Assert.That(report["guild_joins_per_guild"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """[{"guild_id":"7","events":1},{"guild_id":"invalid","events":1}]"""));
        Assert.That(report["events_per_user_agent"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """[{"user_agent":null,"events":3},{"user_agent":"GameClient/1.0","events":2}]"""));
    }

    [Test]
    public void Sql_Error_Exit2WithTheEnginesMessage()
    {
        var outcome = AnalyticsRunner.Run("sql", "SELECT no_such_column FROM events", "--input", File(Events));

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain("no_such_column"));
        Assert.That(outcome.Stdout, Is.Empty);
    }

    [Test]
    public void Sql_SeveralStatements_RunInOrder_LastResultShown()
    {
        var outcome = AnalyticsRunner.Run("sql", "CREATE TABLE kinds AS SELECT DISTINCT event_type FROM events; SELECT COUNT(*) AS kinds FROM kinds",
            "--input", File(Events), "--format", "json");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows.Single()["kinds"]!.Value<long>(), Is.EqualTo(3));
    }

    [Test]
    public void Sql_StatementWithoutResult_RunsAndSaysSo()
    {
        var copy = TempPath(".csv");

        var outcome = AnalyticsRunner.Run("sql", $"COPY (SELECT event_type FROM events) TO '{copy}' (HEADER false)", "--input", File(Events));

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout, Is.Empty);
        Assert.That(outcome.Stderr, Does.Contain("Done: the statement returns no result."));
        Assert.That(System.IO.File.ReadAllLines(copy), Has.Length.EqualTo(5));
    }

    [TestCase("")]
    [TestCase("  ")]
    public void Sql_EmptyQuery_Exit2WithAnExample(string query)
    {
        var outcome = AnalyticsRunner.Run("sql", query, "--input", File(Events));

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.StartWith("error: The query is empty; for example: sql \"SELECT"));
    }

    [TestCase("events", "--format", "xml")]
    [TestCase("nonsense")]
    [TestCase("sql")]
    public void BadUsage_Exit2(params string[] args) =>
        Assert.That(AnalyticsRunner.Run(args).ExitCode, Is.EqualTo(2));

    [TestCase("--limit", "-1", "--limit must be a whole number of rows, 0 for all (got '-1').")]
    [TestCase("--limit", "abc", "--limit must be a whole number of rows, 0 for all (got 'abc').")]
    [TestCase("--timeout", "0", "--timeout must be a whole number of seconds from 1 to 3600 (got '0').")]
    [TestCase("--timeout", "1.5", "--timeout must be a whole number of seconds from 1 to 3600 (got '1.5').")]
    public void BadNumber_Exit2NamingTheOption(string option, string value, string message)
    {
        var outcome = AnalyticsRunner.Run("events", "--input", File(Events), option, value);

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.StartWith($"error: {message}"));
        Assert.That(outcome.Stdout, Is.Empty);
    }

    // The output is checked before the source is read: with an unreachable broker these would otherwise
    // wait for it and end with exit 1.
    [TestCase("report", "/x.xlsx", "the file name must end in .csv, .json, .parquet or .html (report only)")]
    [TestCase("report", "/no-such-folder/x.csv", "folder '{dir}/no-such-folder' does not exist")]
    [TestCase("report", "/x.csv/", "the file name must end in .csv, .json, .parquet or .html (report only)")]
    [TestCase("schema", "/x.parquet", "schema cannot write Parquet; use --output with .csv or .json")]
    [TestCase("schema", "/x.html", "schema cannot write HTML (report can); use --output with .csv or .json.")]
    [TestCase("events", "/x.html", "events cannot write HTML (report can); use --output with .csv, .json or .parquet.")]
    // The commands with checks of their own on --output threw on a name the option itself refused (exit 134).
    [TestCase("sql SELECT 1", "/x.txt", "the file name must end in .csv, .json, .parquet or .html (report only)")]
    [TestCase("events", "/x.txt", "the file name must end in .csv, .json, .parquet or .html (report only)")]
    [TestCase("schema", "/no-such-folder/x.csv", "folder '{dir}/no-such-folder' does not exist")]
    [TestCase("sql SELECT 1", "/x.csv/", "the file name must end in .csv, .json, .parquet or .html (report only)")]
    public void Output_Unusable_Exit2BeforeReadingTheSource(string command, string name, string message)
    {
        var dir = Path.GetDirectoryName(TempPath(""))!;
        var outcome = AnalyticsRunner.Run([.. command.Split(' ', 2), "--bootstrap-servers", "127.0.0.1:1", "--timeout", "30", "--output", dir + name]);

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain(message.Replace("{dir}", dir, StringComparison.Ordinal)));
    }

    [Test]
    public void Output_FolderNamedLikeAFile_Exit2()
    {
        var folder = TempPath(".csv");
        Directory.CreateDirectory(folder);
        try
        {
            var outcome = AnalyticsRunner.Run("report", "--input", File(Events), "--output", folder);

            Assert.That(outcome.ExitCode, Is.EqualTo(2));
            Assert.That(outcome.Stderr, Does.Contain($"--output '{folder}' is a folder"));
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    // The new file is renamed over the old, which the folder allows even for a read-only file: refused
    // first, as the shell refuses `> file` (to all but root) and an editor warns.
    [Test]
    [UnsupportedOSPlatform("windows")]
    public void Output_ReadOnlyFile_Exit2_FileKept()
    {
        var kept = TempPath(".csv");
        System.IO.File.WriteAllText(kept, "precious");
        System.IO.File.SetUnixFileMode(kept, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var outcome = AnalyticsRunner.Run("report", "--input", File(Events), "--output", kept);

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain($"--output '{kept}' is read-only"));
        Assert.That(System.IO.File.ReadAllText(kept), Is.EqualTo("precious"));
    }

    [Test]
    public void Output_NotWritable_Exit2WithTheReason()
    {
        var outcome = AnalyticsRunner.Run("report", "--input", File(Events), "--output", "/proc/gameapi-report.csv");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain("cannot write --output '/proc/gameapi-report.csv'"));
    }

    // A query failing half-way leaves the user's earlier file as it was and nothing beside it (a write
    // failing half-way: NativeBuildTests, with a real file size limit).
    [Test]
    public void Output_QueryFailsHalfWay_EarlierFileUnchanged_NothingLeftBeside()
    {
        var folder = Directory.CreateTempSubdirectory("gameapi-out-").FullName;
        try
        {
            var target = Path.Combine(folder, "rows.parquet");
            Assert.That(AnalyticsRunner.Run("sql", "SELECT 42 AS kept", "--input", File(Events), "--output", target).ExitCode, Is.EqualTo(0));
            var before = System.IO.File.ReadAllBytes(target);

            var failed = AnalyticsRunner.Run("sql", "SELECT CASE WHEN range < 300000 THEN range ELSE error('half-way') END AS n FROM range(400000)",
                "--input", File(Events), "--output", target);

            Assert.That(failed.ExitCode, Is.EqualTo(2));
            Assert.That(failed.Stderr, Does.Contain("half-way"));
            Assert.That(System.IO.File.ReadAllBytes(target), Is.EqualTo(before));
            Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EqualTo(new[] { "rows.parquet" }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Writing in place (as before files were replaced by renaming) kept a link and the file's permissions:
    // replacing keeps them too.
    [Test]
    [UnsupportedOSPlatform("windows")]
    public void Output_ThroughASymbolicLink_ReplacesItsTarget_KeepsLinkAndPermissions()
    {
        var folder = Directory.CreateTempSubdirectory("gameapi-out-").FullName;
        try
        {
            var real = Path.Combine(folder, "published", "report.csv");
            Directory.CreateDirectory(Path.GetDirectoryName(real)!);
            System.IO.File.WriteAllText(real, "old\n");
            System.IO.File.SetUnixFileMode(real, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            var link = Path.Combine(folder, "latest.csv");
            System.IO.File.CreateSymbolicLink(link, real);

            var outcome = AnalyticsRunner.Run("sql", "SELECT 42 AS answer", "--input", File(Events), "--output", link);

            Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
            Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(real));
            Assert.That(System.IO.File.ReadAllText(real), Is.EqualTo("answer\r\n42\r\n"));
            Assert.That(System.IO.File.GetUnixFileMode(real), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(real)!).Select(Path.GetFileName), Is.EqualTo(new[] { "report.csv" }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Output_ALoopOfSymbolicLinks_Exit2WithTheReason()
    {
        var folder = Directory.CreateTempSubdirectory("gameapi-out-").FullName;
        try
        {
            var (a, b) = (Path.Combine(folder, "a.csv"), Path.Combine(folder, "b.csv"));
            System.IO.File.CreateSymbolicLink(a, b);
            System.IO.File.CreateSymbolicLink(b, a);

            var outcome = AnalyticsRunner.Run("sql", "SELECT 42 AS answer", "--input", File(Events), "--output", a);

            Assert.That(outcome.ExitCode, Is.EqualTo(2));
            Assert.That(outcome.Stderr, Does.Contain($"cannot write --output '{a}'").And.Not.Contain("   at "));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // What a full disk does to a redirected stdout (> /dev/full): an IOException on a write.
    [Test]
    public void Stdout_CannotBeWritten_Exit2WithOneLine()
    {
        using var stderr = new StringWriter();

        var code = AnalyticsCli.Run(["sql", "SELECT 1 AS n", "--input", File(Events), "--format", "csv"], new FullDisk(), stderr);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.ToString().Trim(), Is.EqualTo("error: cannot write the results to stdout: No space left on device"));
    }

    private sealed class FullDisk : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => throw new IOException("No space left on device");
    }

    [Test]
    public void InputIsAFolder_Exit1SayingSo()
    {
        var outcome = AnalyticsRunner.Run("report", "--input", Path.GetTempPath());

        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.Contain("is a folder; --input takes a JSON Lines file"));
    }

    [Test]
    public void MissingInputFile_Exit1()
    {
        var outcome = AnalyticsRunner.Run("report", "--input", "/nonexistent/events.jsonl");

        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.Contain("/nonexistent/events.jsonl"));
    }

    [Test]
    public void Help_DescribesCommandsAndExitsZero()
    {
        var outcome = AnalyticsRunner.Run("--help");

        Assert.That(outcome.ExitCode, Is.EqualTo(0));
        Assert.That(outcome.Stdout, Does.Contain("events").And.Contain("schema").And.Contain("report").And.Contain("sql").And.Contain("--bootstrap-servers"));
    }

    [Test]
    public void Format_Table_ShowsValues()
    {
        var outcome = AnalyticsRunner.Run("events", "--input", File(Events));

        Assert.That(outcome.Stdout, Does.Contain("| event_type").And.Contain("purchase_item").And.Contain("5 rows"));
    }

    [Test]
    public void Format_Csv_ReadsBack()
    {
        var outcome = AnalyticsRunner.Run("sql", "SELECT event_type, guild_id FROM events WHERE guild_id IS NOT NULL", "--input", File(Events), "--format", "csv");

        Assert.That(outcome.Stdout.ReplaceLineEndings("\n").Trim().Split('\n'), Is.EqualTo(new[] { "event_type,guild_id", "join_guild,7", "join_guild,invalid" }));
    }

    [TestCase(".csv")]
    [TestCase(".json")]
    [TestCase(".parquet")]
    public void Output_File_ReadsBackWithTheSameRows(string extension)
    {
        var path = TempPath(extension);

        var outcome = AnalyticsRunner.Run("sql", "SELECT event_type, COUNT(*) AS n FROM events GROUP BY event_type ORDER BY event_type", "--input", File(Events), "--output", path);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout, Is.Empty, "stdout carries only data, and the data went to the file");
        var rows = AnalyticsRunner.ReadBack(extension == ".json"
                ? $"SELECT event_type, n FROM read_json('{path}', format = 'array') ORDER BY event_type"
                : $"SELECT event_type, n FROM '{path}' ORDER BY event_type")
            .Select(r => $"{r[0]}={r[1]}");

        Assert.That(rows, Is.EqualTo(new[] { "default=2", "join_guild=2", "purchase_item=1" }));
    }

    [Test]
    public void Report_JsonOutputFile_IsOneObjectWithAnArrayPerReport()
    {
        var path = TempPath(".json");

        AnalyticsRunner.Run("report", "--input", File(Events), "--output", path);

        var report = JObject.Parse(System.IO.File.ReadAllText(path));
        Assert.That(report.Properties().Select(p => p.Name), Is.EqualTo(new[] { "events_per_type", "purchases_per_item", "guild_joins_per_guild", "events_per_user_agent", "events_over_time" }));
    }
}
