using GameApi.Analytics.Engine;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>
/// What <c>sql</c> prints for every kind of DuckDB value: lists, structs and maps as JSON (real JSON in
/// JSON output), dates, times, intervals and blobs as DuckDB writes them, never a .NET type name.
/// </summary>
public class ResultTypesTests
{
    private string _input = "";

    [SetUp]
    public void WriteInput() => _input = AnalyticsRunner.WriteLines("""{"event_type":"purchase_item","item":"sword"}""", """{"event_type":"join_guild"}""");

    [TearDown]
    public void DeleteInput() => File.Delete(_input);

    private AnalyticsOutcome Sql(string query, string format = "json") => AnalyticsRunner.Run("sql", query, "--input", _input, "--format", format);

    [Test]
    public void NestedValues_AreJsonInJsonOutput()
    {
        var outcome = Sql("SELECT [1, NULL] AS list, {'a': 1, 'b': 'x'} AS struct, map([1], ['one']) AS map, [DATE '2026-01-01'] AS dates, [1, 2]::INTEGER[2] AS array");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        var row = (JObject)outcome.JsonRows.Single();
        Assert.That(row.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """{"list":[1,null],"struct":{"a":1,"b":"x"},"map":{"1":"one"},"dates":["2026-01-01"],"array":[1,2]}"""));
    }

    // DuckDB's to_json writes NaN and Infinity bare, which JSON has no token for: strings, as scalar ones are.
    [Test]
    public void NestedValues_JsonInEveryRow_NonFiniteNumbersAsStrings()
    {
        var outcome = Sql("SELECT l, s FROM (VALUES (1, [1.5], {'x': 'NaN', 'y': 1.5}), "
            + "(2, ['nan'::DOUBLE, 'inf'::DOUBLE, '-inf'::DOUBLE], {'x': 'a \"NaN\"', 'y': 'nan'::DOUBLE})) AS t(n, l, s) ORDER BY n");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows.Select(r => r.ToString(Newtonsoft.Json.Formatting.None)), Is.EqualTo(new[]
        {
            """{"l":[1.5],"s":{"x":"NaN","y":1.5}}""",
            """{"l":["NaN","Infinity","-Infinity"],"s":{"x":"a \"NaN\"","y":"NaN"}}""",
        }));
    }

    [Test]
    public void NestedValues_DeeperThan64_StillJson()
    {
        var outcome = Sql($"SELECT {new string('[', 70)}1{new string(']', 70)} AS deep");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        using var rows = System.Text.Json.JsonDocument.Parse(outcome.Stdout, new System.Text.Json.JsonDocumentOptions { MaxDepth = 100 });
        Assert.That(rows.RootElement[0].GetProperty("deep").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Array));
    }

    [Test]
    public void NestedValues_AreJsonTextInTablesAndCsv()
    {
        var table = Sql("SELECT list(item) AS items FROM events", "table");
        var csv = Sql("SELECT [1, NULL] AS list, {'a': 1} AS struct", "csv");

        Assert.That(table.ExitCode, Is.EqualTo(0), table.Stderr);
        Assert.That(table.Stdout, Does.Contain("""["sword",null]""").And.Not.Contain("System."));
        Assert.That(csv.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("list,struct\n\"[1,null]\",\"{\"\"a\"\":1}\"\n"));
    }

    [Test]
    public void DatesTimesIntervalsBlobs_AsDuckDbWritesThem()
    {
        var outcome = Sql("SELECT DATE '2026-01-02' AS d, TIME '12:30' AS t, INTERVAL 3 DAY AS i, '\\xAA'::BLOB AS b, '101'::BIT AS bits, TIMESTAMPTZ '2026-01-01 10:00:00+02' AS tz");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows.Single().ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """{"d":"2026-01-02","t":"12:30:00","i":"3 days","b":"\\xAA","bits":"101","tz":"2026-01-01 08:00:00+00"}"""));
    }

    [Test]
    public void NumbersTextAndTimestamps_KeepTheirTypes()
    {
        var outcome = Sql("SELECT 1.50::DECIMAL(10,2) AS d, 170141183460469231731687303715884105727::HUGEINT AS h, true AS b, 'x' AS s, TIMESTAMP '2026-01-01 10:00:00.5' AS ts, NULL AS n, to_json({'k': [1]}) AS j");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout, Does.Contain("170141183460469231731687303715884105727,")); // a number, not text
        var row = outcome.JsonRows.Single();
        Assert.That(row["d"]!.Type, Is.EqualTo(JTokenType.Float));
        Assert.That(row["b"]!.Value<bool>(), Is.True);
        Assert.That(row["s"]!.Value<string>(), Is.EqualTo("x"));
        Assert.That(row["ts"]!.Value<string>(), Is.EqualTo("2026-01-01 10:00:00.5"));
        Assert.That(row["n"]!.Type, Is.EqualTo(JTokenType.Null));
        Assert.That(row["j"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo("""{"k":[1]}""")); // a JSON value stays JSON
    }

    // DECIMAL(38,s) is what SUM and products of decimals give: wider than .NET's decimal (28 digits).
    [Test]
    public void Decimals_EveryDigitAsDuckDbWritesThem_NumbersInJson()
    {
        const string Select = "SELECT x * x AS sq, 0.1::DECIMAL(38,37) AS h, -99999999999999999999999999999999999999::DECIMAL(38,0) AS f, 1.50::DECIMAL(10,2) AS d "
            + "FROM (SELECT 1234567890.123456789::DECIMAL(19,9) AS x)";

        var csv = Sql(Select, "csv");
        var executed = Sql($"PREPARE p AS {Select}; EXECUTE p", "csv"); // read as written: not described
        var json = Sql(Select);

        Assert.That(csv.ExitCode, Is.EqualTo(0), csv.Stderr);
        Assert.That(csv.Stdout.ReplaceLineEndings("\n"), Is.EqualTo(
            "sq,h,f,d\n1524157875323883675.019051998750190521,0.1000000000000000000000000000000000000,-99999999999999999999999999999999999999,1.50\n"));
        Assert.That(executed.Stdout, Is.EqualTo(csv.Stdout), executed.Stderr);
        Assert.That(json.Stdout, Does.Contain("\"sq\": 1524157875323883675.019051998750190521,").And.Contain("\"f\": -99999999999999999999999999999999999999,"));
        Assert.That(json.JsonRows.Single()["h"]!.Type, Is.EqualTo(JTokenType.Float));
    }

    [Test]
    public void NanosecondTimestamps_EveryDigit()
    {
        var csv = Sql("SELECT TIMESTAMP_NS '2026-01-02 03:04:05.123456789' AS ns", "csv");
        var json = Sql("SELECT TIMESTAMP_NS '2026-01-02 03:04:05.123456789' AS ns");

        Assert.That(csv.ExitCode, Is.EqualTo(0), csv.Stderr);
        Assert.That(csv.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("ns\n2026-01-02 03:04:05.123456789\n"));
        Assert.That(json.JsonRows.Single()["ns"]!.Value<string>(), Is.EqualTo("2026-01-02 03:04:05.123456789"));
    }

    [Test]
    public void RepeatedNamesATrailingCommentOrSemicolon_StillConverted()
    {
        var commented = Sql("SELECT [1] AS a, [2] AS a -- the last line is a comment", "csv");
        var ended = Sql("SELECT [1] AS a;", "csv");

        Assert.That(commented.ExitCode, Is.EqualTo(0), commented.Stderr);
        Assert.That(commented.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("a,a\n[1],[2]\n"));
        Assert.That(ended.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("a\n[1]\n"));
    }

    // A JSON reader keeps one value per key: a repeated name gets a suffix, the one DuckDB's Parquet output
    // gives it, so that a_1 is the same value in both.
    [TestCase("SELECT 1 AS a, 2 AS a, 3 AS a_1, 4 AS A, 5 AS a", new[] { "a", "a_1", "a_1_1", "A_2", "a_3" })]
    [TestCase("SELECT 1 AS a_1, 2 AS a, 3 AS a, 4 AS a", new[] { "a_1", "a", "a_2", "a_3" })]
    [TestCase("SELECT 1 AS x, 2 AS X, 3 AS x_1", new[] { "x", "X_1", "x_1_1" })]
    public void RepeatedNames_InJsonOutput_KeyedAsInParquet(string query, string[] keys)
    {
        var parquet = TestRunFolder.NewPath("repeated", ".parquet");
        var json = Sql(query);
        var written = AnalyticsRunner.Run("sql", query, "--input", _input, "--output", parquet);
        var parquetColumns = Sql($"SELECT * FROM '{parquet}'", "csv");

        Assert.That(json.ExitCode, Is.EqualTo(0), json.Stderr);
        Assert.That(written.ExitCode, Is.EqualTo(0), written.Stderr);
        Assert.That(((JObject)json.JsonRows.Single()).Properties().Select(p => (p.Name, (int)p.Value)), Is.EqualTo(keys.Select((k, i) => (k, i + 1))));
        Assert.That(parquetColumns.Stdout.ReplaceLineEndings("\n").Split('\n')[0].Split(','), Is.EqualTo(keys), "DuckDB's own names");
    }

    [Test]
    public void StatementsWithoutAResultShape_RunAsWritten()
    {
        var outcome = Sql("SHOW TABLES", "csv");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("name\nevents\n"));
    }

    [Test]
    public void AListThatCannotBeConverted_Exit2NamingTheWayOut()
    {
        var outcome = Sql("PREPARE p AS SELECT [1] AS l; EXECUTE p"); // EXECUTE cannot be described, so is not rewritten

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain("to_json(...)"));
    }

    // DESCRIBE takes no EXECUTE or INSERT ... RETURNING, so their results are not converted by the query.
    [Test]
    public void StatementsThatCannotBeDescribed_SameTextAsASelect()
    {
        const string Select = "SELECT TIME '10:15:30.5' AS t, TIME '24:00:00' AS midnight, INTERVAL '1 year 2 months 3 days 01:30:00.5' AS i, "
            + "INTERVAL '-1 month -2 days -01:30:00' AS neg, INTERVAL 90 MINUTE AS m, TIMESTAMPTZ '2026-01-02 03:04:05.25+02' AS tz, "
            + "TIMETZ '10:00:00+02' AS ttz, TIMETZ '10:00:00.5-03:30:15' AS odd, TIMETZ '10:00:00+01:00:15' AS odder, DATE '2026-01-02' AS d, 12345678901234567890123::BIGNUM AS big";

        foreach (var format in new[] { "csv", "json" })
        {
            var selected = Sql(Select, format);
            var executed = Sql($"PREPARE p AS {Select}; EXECUTE p", format);

            Assert.That(selected.ExitCode, Is.EqualTo(0), selected.Stderr);
            Assert.That(executed.Stdout, Is.EqualTo(selected.Stdout), executed.Stderr);
        }

        var returned = Sql("CREATE TABLE x (t TIME, i INTERVAL); INSERT INTO x VALUES (TIME '10:15:30', INTERVAL 1 MONTH) RETURNING t, i", "csv");
        Assert.That(returned.Stdout.ReplaceLineEndings("\n"), Is.EqualTo("t,i\n10:15:30,1 month\n"), returned.Stderr);
    }

    [TestCase("TIMESTAMP_NS '2026-01-02 03:04:05.123456789'")]
    [TestCase("DATE 'infinity'")]
    public void StatementsThatCannotBeDescribed_AValueNotShownExactly_Exit2NamingTheWayOut(string value)
    {
        var outcome = Sql($"PREPARE p AS SELECT {value} AS v; EXECUTE p");

        Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Column v holds").And.Contain("CAST(v AS VARCHAR)").And.Not.Contain("   at "));
    }

    [TestCase("INTEGER[]", "Json")]
    [TestCase("INTEGER[3]", "Json")]
    [TestCase("STRUCT(a INTEGER, b VARCHAR)", "Json")]
    [TestCase("MAP(INTEGER, VARCHAR)", "Json")]
    [TestCase("UNION(num INTEGER)", "Json")]
    [TestCase("JSON", "Json")]
    [TestCase("DECIMAL(10,2)", "Value")]
    [TestCase("ENUM('a', 'b')", "Value")]
    [TestCase("BIGINT", "Value")]
    [TestCase("TIMESTAMP", "Value")]
    [TestCase("TIMESTAMP_NS", "Text")]
    [TestCase("DATE", "Text")]
    [TestCase("INTERVAL", "Text")]
    [TestCase("BLOB", "Text")]
    [TestCase("TIMESTAMP WITH TIME ZONE", "Text")]
    public void ReadingOf_EachKindOfType(string type, string expected) =>
        Assert.That(DuckDbColumns.ReadingOf(type).ToString(), Is.EqualTo(expected));
}
