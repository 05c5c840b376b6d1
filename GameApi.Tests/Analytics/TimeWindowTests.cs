using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;

namespace GameApi.Tests.Analytics;

/// <summary>--since and --until: the forms they take, and the events the table keeps on both engines.</summary>
public class TimeWindowTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Events =
    [
        """{"event_type":"default","timestamp":"2026-12-01T09:59:59.999Z"}""",
        """{"event_type":"default","timestamp":"2026-12-01T10:00:00.000Z"}""",
        """{"event_type":"purchase_item","item":"sword","timestamp":"2026-12-01T12:30:00+02:00"}""",
        """{"event_type":"join_guild","guild_id":7,"timestamp":"2026-12-01T10:59:59.999Z"}""",
        """{"event_type":"join_guild","guild_id":8,"timestamp":"2026-12-01T11:00:00.000Z"}""",
        """{"event_type":"default"}""",
    ];

    [TestCase("2026-12-01", "2026-12-01 00:00:00")]
    [TestCase("2026-12-01T10:00:00Z", "2026-12-01 10:00:00")]
    [TestCase("2026-12-01T10:00:00+02:00", "2026-12-01 08:00:00")]
    [TestCase("2026-12-01 10:00", "2026-12-01 10:00:00")]
    [TestCase("2026-12-01T10:00Z", "2026-12-01 10:00:00")]
    [TestCase("2026-12-01 10:00:00.5+0200", "2026-12-01 08:00:00")]
    [TestCase("2026-12-01T10:00:00.123456789-05:30", "2026-12-01 15:30:00")]
    [TestCase("2026-01-11", "2026-01-11 00:00:00")]
    [TestCase("90m", "2026-12-03 10:30:00")]
    [TestCase("24h", "2026-12-02 12:00:00")]
    [TestCase("7d", "2026-11-26 12:00:00")]
    [TestCase("2w", "2026-11-19 12:00:00")]
    [TestCase("30s", "2026-12-03 11:59:30")]
    public void ParseTime_IsoOrSpanBackFromNow_Utc(string text, string expected) =>
        Assert.That(TimeWindow.ParseTime(text, Now, "--since").ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));

    [TestCase("yesterday")]
    [TestCase("10:00")]
    [TestCase("01-11-2026")] // read as 11 January by culture-tolerant parsing
    [TestCase("1-1-1")]
    [TestCase("2026-1-1")]
    [TestCase("Nov-01-2026")]
    [TestCase("2026-11-01 10:00 PM")]
    [TestCase("2026-11-01 10:00 +02:00")]
    [TestCase("2026-11-01T10")]
    [TestCase("5x")]
    [TestCase("-3d")]
    [TestCase("d")]
    [TestCase("")]
    [TestCase("99999999999999d")]
    public void ParseTime_Neither_FormatExceptionSayingWhatIsAccepted(string text)
    {
        var error = Assert.Throws<FormatException>(() => TimeWindow.ParseTime(text, Now, "--since"));

        Assert.That(error!.Message, Does.StartWith("--since"));
    }

    // The form is right, the value is not: the message says why, not that the form is wrong.
    [TestCase("99999999999999d", "reaches back before the year 1")]
    [TestCase("9999999999999999999s", "reaches back before the year 1")]
    [TestCase("0001-01-01T00:00:00+05:00", "is not a time that exists in the years 1 to 9999")]
    [TestCase("2026-12-01T10:00:00+14:30", "an offset beyond ±14:00")]
    [TestCase("2016-12-31T23:59:60Z", "a leap second")]
    [TestCase("2026-02-30", "a day or hour that does not exist")]
    public void ParseTime_IsoFormButNoSuchTime_SaysWhy(string text, string reason) =>
        Assert.That(() => TimeWindow.ParseTime(text, Now, "--since"), Throws.InstanceOf<FormatException>().With.Message.Contains(reason).And.Message.StartsWith($"--since '{text}'"));

    [Test]
    public void Parse_SinceNotBeforeUntil_Refused() =>
        Assert.That(() => TimeWindow.Parse("2026-12-02", "2026-12-01", Now), Throws.InstanceOf<FormatException>().With.Message.Contains("must be before --until"));

    [Test]
    public void Embedded_SinceInclusiveUntilExclusive_OffsetApplied_UntimedLeftOut()
    {
        var input = AnalyticsRunner.WriteLines(Events);

        var outcome = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", "--since", "2026-12-01T10:00:00Z", "--until", "2026-12-01T11:00:00Z",
            "SELECT event_type, COUNT(*) AS n FROM events GROUP BY event_type ORDER BY event_type");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stdout.ReplaceLineEndings("").Replace(" ", "", StringComparison.Ordinal),
            Is.EqualTo("""[{"event_type":"default","n":1},{"event_type":"join_guild","n":1},{"event_type":"purchase_item","n":1}]"""));
        Assert.That(outcome.Stderr, Does.Contain("Events with a timestamp from 2026-12-01 10:00:00.000000 to 2026-12-01 11:00:00.000000 (UTC, the end excluded)."));
    }

    [Test]
    public void Embedded_SchemaAndReport_CountOnlyTheWindow()
    {
        var input = AnalyticsRunner.WriteLines(Events);

        var schema = AnalyticsRunner.Run("schema", "--input", input, "--format", "json", "--since", "2026-12-01T10:00:00Z").JsonRows;
        var report = AnalyticsRunner.Run("report", "--input", input, "--format", "json", "--since", "2026-12-01T10:00:00Z").JsonObject;

        Assert.That((long)schema.Single(r => (string)r["column"]! == "event_type")["events"]!, Is.EqualTo(4));
        Assert.That((long)schema.Single(r => (string)r["column"]! == "guild_id")["events"]!, Is.EqualTo(2));
        Assert.That(report["events_per_type"]!.Sum(r => (long)r["events"]!), Is.EqualTo(4));
    }

    [TestCase("--since", "yesterday")]
    [TestCase("--until", "5x")]
    [TestCase("--since", "01-11-2026")]
    public void BadTime_Exit2BeforeReading(string option, string value)
    {
        var outcome = AnalyticsRunner.Run("report", "--bootstrap-servers", "127.0.0.1:1", option, value);

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.StartWith($"error: {option} must be a time in ISO 8601"));
    }

    [Test]
    public void Spark_TheWindowIsPartOfTheCachedView()
    {
        var schema = EventSchema.From([], new Dictionary<string, long>(), 0);

        var statements = SparkEventsSql.BuildEvents(schema, new TimeWindow(new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc), null));

        // Deduplicated first (resent events are counted there, before the window), then the window, then the cache.
        Assert.That(statements[0], Does.EndWith("WHERE gameapi_copy = 1"));
        Assert.That(statements[1], Is.EqualTo("CREATE OR REPLACE TEMPORARY VIEW events AS SELECT * FROM gameapi_events WHERE `timestamp` >= TIMESTAMP '2026-12-01 10:00:00.000000'"));
        Assert.That(statements[2], Is.EqualTo("CACHE TABLE events"));
    }
}
