using GameApi.Analytics.Events;
using GameApi.Analytics.Output;
using GameApi.Analytics.Reports;
using GameApi.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>
/// `report --output report.html`, opened as a person opens it: from the file, in Debian's headless Chromium,
/// with the network refused (Support/BrowserPage.cs).
/// </summary>
public class HtmlReportTests
{
    private static readonly string[] Events =
    [
        """{"event_type":"purchase_item","item":"sword","User-Agent":"a","timestamp":"2026-11-30T10:00:01Z"}""",
        """{"event_type":"purchase_item","item":"knife","User-Agent":"b","timestamp":"2026-11-30T11:00:01Z"}""",
        """{"event_type":"purchase_item","item":"knife","User-Agent":"b","timestamp":"2026-11-30T12:30:00Z"}""",
        """{"event_type":"join_guild","guild_id":7,"User-Agent":"a","timestamp":"2026-11-30T10:20:00Z"}""",
        """{"event_type":"join_guild","guild_id":"invalid","timestamp":"2026-11-30T12:00:00Z"}""",
        """{"event_type":"default","timestamp":"2026-11-30T13:00:00Z"}""",
        """{"event_type":"purchase_sword","timestamp":"2026-11-30T13:10:00Z"}""",
    ];

    [Test]
    public void Html_EveryChartDraws_OfflineWithoutErrors()
    {
        var page = WriteReport(Events);

        var seen = BrowserPage.Open(page);

        var charts = (JArray)seen["charts"]!;
        Assert.That(charts, Has.Count.EqualTo(BuiltInReports.All.Count + 1), "a chart per report, the one over time included");
        Assert.That(charts.Select(c => (string?)c["error"]), Is.All.Null);
        Assert.That(charts.Select(c => (bool)c["drawn"]!), Is.All.True);
        Assert.That(seen["consoleErrors"], Is.Empty);
        Assert.That(seen["pageErrors"], Is.Empty);
        Assert.That(seen["requests"], Is.Empty, "everything the page needs is in it");
    }

    [Test]
    public void Html_ChartsAndTablesShowTheRows()
    {
        var seen = BrowserPage.Open(WriteReport(Events));

        var charts = (JArray)seen["charts"]!;
        var tables = seen["tables"]!.Select(t => (int)t).ToList();
        // events per type: 4 types; purchases per item: sword, knife; guild joins: 7, invalid; user agents: a, b, none.
        Assert.That(charts.Take(4).Select(c => (int)c["bars"]!), Is.EqualTo(new[] { 4, 2, 2, 3 }));
        Assert.That((int)charts[4]["lines"]!, Is.EqualTo(4), "a line per event type over time");
        Assert.That(tables.Take(4), Is.EqualTo(new[] { 4, 2, 2, 3 }), "the table under each chart");
        Assert.That(tables[4], Is.EqualTo(7), "each (hour, event type) with events: 7 events in 7 distinct pairs");
    }

    [Test]
    public void Html_HostileValues_ShownAsText_NothingRuns()
    {
        var page = WriteReport(
        [
            """{"event_type":"purchase_item","item":"</script><script>alert('item')</script>","timestamp":"2026-11-30T10:00:01Z"}""",
            """{"event_type":"join_guild","guild_id":"<img src=x onerror=alert('guild')>","User-Agent":"\u2028</SCRIPT>\"'&amp;","timestamp":"2026-11-30T10:00:02Z"}""",
        ]);

        var seen = BrowserPage.Open(page);

        Assert.That(seen["dialogs"], Is.Empty, "no value ran as script");
        Assert.That(seen["requests"], Is.Empty, "no value loaded anything");
        Assert.That(seen["charts"]!.Select(c => (bool)c["drawn"]!), Is.All.True);
        Assert.That(seen["pageErrors"], Is.Empty);
        Assert.That(File.ReadAllText(page), Does.Contain("&lt;/script&gt;&lt;script&gt;alert(&#39;item&#39;)&lt;/script&gt;"), "the table shows the value as text");
    }

    // A line from 10:00 to 12:00 would read as events every minute in between: the empty minutes are 0.
    [Test]
    public void Html_OverTime_EmptyBucketsDrawnAsZero()
    {
        var steady = Enumerable.Range(0, 121).Select(m => $$"""{"event_type":"steady","timestamp":"{{new DateTime(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc).AddMinutes(m):yyyy-MM-ddTHH:mm:ss}}Z"}""");
        string[] burst = ["""{"event_type":"burst","timestamp":"2026-11-30T10:00:10Z"}""", """{"event_type":"burst","timestamp":"2026-11-30T12:00:10Z"}"""];

        var seen = BrowserPage.Open(WriteReport([.. steady, .. burst]));

        var overTime = seen["charts"]![BuiltInReports.All.Count]!;
        Assert.That((int)overTime["lines"]!, Is.EqualTo(2));
        Assert.That((int)overTime["points"]!, Is.EqualTo(2 * 121), "a point for every minute of each line, 0 where it had no events");
        Assert.That(seen["tables"]![BuiltInReports.All.Count]!.Value<int>(), Is.EqualTo(121 + 2), "the table keeps only the minutes with events");
    }

    [Test]
    public void Points_FillEmptyBuckets_UnlessTooMany()
    {
        var result = new QueryResult(["bucket", "event_type", "events"],
        [
            ["2026-11-30T10:00:00Z", "burst", 5L],
            ["2026-11-30T10:03:00Z", "burst", 5L],
            ["2026-11-30T10:01:00Z", null, 1L],
        ]);

        var (values, filled) = HtmlReport.Points(result, TimeSpan.FromMinutes(1));
        var (sparse, notFilled) = HtmlReport.Points(result, null);
        var (centuries, tooMany) = HtmlReport.Points(new QueryResult(["bucket", "event_type", "events"], [["0001-01-01T00:00:00Z", "a", 1L], ["9999-12-31T00:00:00Z", "a", 1L]]), TimeSpan.FromDays(1));

        Assert.That(filled, Is.True);
        Assert.That(values.Where(v => v.EventType == "burst").Select(v => (v.Bucket.Minute, v.Events)), Is.EqualTo(new[] { (0, 5L), (1, 0L), (2, 0L), (3, 5L) }));
        Assert.That(values.Where(v => v.EventType == "(missing)").Select(v => v.Events), Is.EqualTo(new[] { 0L, 1L, 0L, 0L }));
        Assert.That(values.Select(v => v.Bucket.Kind).Distinct(), Is.EqualTo(new[] { DateTimeKind.Utc }));
        Assert.That((notFilled, sparse.Count), Is.EqualTo((false, 3)));
        Assert.That((tooMany, centuries.Count), Is.EqualTo((false, 2)), "3.6 million days are not filled in: points only");
    }

    // Any game client sends these: an override would make one item read as another, and a missing item
    // must not look like the text "NULL".
    [Test]
    public void Html_OverridesEscaped_MissingApartFromNullText_LongValuesWrapped()
    {
        var page = WriteReport(
        [
            """{"event_type":"purchase_item","item":"sword","timestamp":"2026-11-30T10:00:01Z"}""",
            """{"event_type":"purchase_item","item":"\u202edrows","timestamp":"2026-11-30T10:00:02Z"}""",
            """{"event_type":"purchase_item","item":"NULL","timestamp":"2026-11-30T10:00:03Z"}""",
            """{"event_type":"purchase_item","timestamp":"2026-11-30T10:00:04Z"}""",
            $$"""{"event_type":"purchase_item","item":"x","User-Agent":"{{new string('a', 3000)}}","timestamp":"2026-11-30T10:00:05Z"}""",
        ]);

        var html = File.ReadAllText(page);
        var seen = BrowserPage.Open(page);

        Assert.That(html, Does.Not.Contain("\u202e"));
        Assert.That(html, Does.Contain("<td>\\u202edrows</td>"));
        Assert.That(html, Does.Contain("<td class=\"missing\">(missing)</td>").And.Contain("<td>NULL</td>"));
        Assert.That(html, Does.Contain("\"value\":\"(missing)\"").And.Contain("\"value\":\"NULL\""), "two bars, not one stacked");
        Assert.That(seen["charts"]!.Select(c => (bool)c["drawn"]!), Is.All.True);
        Assert.That((int)seen["scrollWidth"]!, Is.LessThanOrEqualTo(900), "a 3,000-character user agent wraps in its cell");
    }

    // A chart tells values apart by label: a client's "(missing)" beside NULL in one minute crashed the
    // report (two points with one key), and in a bar chart the two were drawn as one stacked bar.
    [Test]
    public void Html_ValuesThatWouldShareALabel_ChartedApart()
    {
        var page = WriteReport(
        [
            """{"event_type":"(missing)","item":"(missing)","timestamp":"2026-11-30T10:00:01Z"}""",
            """{"event_type":"purchase_item","timestamp":"2026-11-30T10:00:02Z"}""",
            """{"timestamp":"2026-11-30T10:00:03Z"}""",
        ]);

        var html = File.ReadAllText(page);
        var seen = BrowserPage.Open(page);

        Assert.That(html, Does.Contain("\"value\":\"(missing)\"").And.Contain("\"value\":\"(missing) (2)\""));
        Assert.That(html, Does.Contain("\"event_type\":\"(missing) (2)\""), "the over-time chart too");
        Assert.That(seen["charts"]!.Select(c => (bool)c["drawn"]!), Is.All.True);
        Assert.That((int)seen["charts"]![BuiltInReports.All.Count]!["lines"]!, Is.EqualTo(3));
    }

    [Test]
    public void Labels_EachValueItsOwn_NullFirstAsMissing()
    {
        var label = HtmlReport.Labels(["(missing)", null, "a\nb", "a\\nb", "(missing) (2)", 7L]);

        Assert.That(new object?[] { null, "(missing)", "(missing) (2)", "a\nb", "a\\nb", 7L }.Select(label),
            Is.EqualTo(new[] { "(missing)", "(missing) (2)", "(missing) (2) (2)", "a\\nb", "a\\\\nb", "7" }));
    }

    [Test]
    public void Html_NoEvents_ChartsStillDraw()
    {
        var seen = BrowserPage.Open(WriteReport([]));

        Assert.That(seen["charts"]!.Select(c => (bool)c["drawn"]!), Is.All.True);
        Assert.That(seen["consoleErrors"], Is.Empty);
    }

    [TestCase("events")]
    [TestCase("schema")]
    public void OtherCommands_RefuseHtml_BeforeReading(string command)
    {
        var outcome = AnalyticsRunner.Run(command, "--input", "/nonexistent.jsonl", "--output", Path.Combine(Path.GetTempPath(), "x.html"));

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain($"{command} cannot write HTML (report can)"));
    }

    [Test]
    public void Sql_RefusesHtml() =>
        Assert.That(AnalyticsRunner.Run("sql", "--input", "/nonexistent.jsonl", "--output", "out.html", "SELECT 1").Stderr,
            Does.Contain("sql cannot write HTML"));

    [Test]
    public void Html_Subtitle_CountsEventsAndNamesTheSource()
    {
        var input = AnalyticsRunner.WriteLines(Events);
        var page = TestRunFolder.NewPath("report", ".html");

        var outcome = AnalyticsRunner.Run("report", "--input", input, "--output", page);

        Assert.That(outcome.ExitCode, Is.Zero, outcome.Stderr);
        Assert.That(outcome.Stdout, Is.Empty, "the page is the answer");
        Assert.That(File.ReadAllText(page), Does.Contain($"7 events from {input}."));
    }

    private static string WriteReport(string[] events)
    {
        var page = TestRunFolder.NewPath("report", ".html");
        var outcome = AnalyticsRunner.Run("report", "--input", AnalyticsRunner.WriteLines(events), "--output", page);
        Assert.That(outcome.ExitCode, Is.Zero, outcome.Stderr);
        return page;
    }
}
