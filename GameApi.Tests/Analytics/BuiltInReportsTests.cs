using GameApi.Analytics.Reports;
using GameApi.Domain.Events;

namespace GameApi.Tests.Analytics;

public class BuiltInReportsTests
{
    private static readonly string[] Events =
    [
        """{"event_type":"purchase_item","item":"sword","User-Agent":"a"}""",
        """{"event_type":"purchase_item","item":"sword","User-Agent":"b"}""",
        """{"event_type":"purchase_item","item":"missing","User-Agent":"a"}""",
        """{"event_type":"join_guild","guild_id":7,"User-Agent":"a"}""",
        """{"event_type":"join_guild","guild_id":"invalid"}""",
        """{"event_type":"default","item":"not a purchase","guild_id":9}""",
        """{"event_type":"purchase_sword"}""",
        """{"item":"no type"}""",
    ];

    [Test]
    public void Combined_GivesWhatEachReportsOwnSqlGives()
    {
        var input = AnalyticsRunner.WriteLines(Events);
        var combined = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", BuiltInReports.Sql).JsonRows;

        foreach (var report in BuiltInReports.All)
        {
            var own = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", report.Sql).JsonRows
                .Select(r => (Value: r[report.Column]!.Type == Newtonsoft.Json.Linq.JTokenType.Null ? null : r[report.Column]!.ToString(), Events: (long)r["events"]!))
                .ToList();
            var part = combined.Where(r => (string)r["report"]! == report.Name)
                .Select(r => (Value: (string?)r["value"], Events: (long)r["events"]!))
                .ToList();

            Assert.That(own, Is.Not.Empty, report.Name);
            Assert.That(part, Is.EquivalentTo(own), report.Name);
        }
    }

    [Test]
    public void Combined_ReportsInTheOrderListed() =>
        Assert.That(
            AnalyticsRunner.Run("sql", "--input", AnalyticsRunner.WriteLines(Events), "--format", "json", BuiltInReports.Sql).JsonRows
                .Select(r => (string)r["report"]!).Distinct(),
            Is.EqualTo(BuiltInReports.All.Select(r => r.Name)));

    [Test]
    public void Combined_AnyOrderOfEntries_NoEntryIsSpecial()
    {
        var reversed = BuiltInReports.All.Reverse().ToList();
        var rows = AnalyticsRunner.Run("sql", "--input", AnalyticsRunner.WriteLines(Events), "--format", "json", BuiltInReports.Combined(reversed)).JsonRows;

        Assert.That(rows.Where(r => (string)r["report"]! == "events_per_type").Sum(r => (long)r["events"]!), Is.EqualTo(Events.Length));
        Assert.That(rows.Select(r => (string)r["report"]!).Distinct(), Is.EqualTo(reversed.Select(r => r.Name)));
    }

    // Events a given time apart: the span picks the bucket.
    private static string[] Timed(TimeSpan step, int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var time = new DateTime(2026, 11, 30, 23, 50, 0, DateTimeKind.Utc) + (step * i);
            return $$"""{"event_type":"{{(i % 3 == 0 ? "default" : "join_guild")}}","timestamp":"{{time:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}"}""";
        }).Concat(["""{"event_type":"default"}"""]).ToArray();

    [TestCase(1, 100, "minute")]
    [TestCase(7, 100, "hour")]
    [TestCase(600, 100, "day")]
    public void OverTime_CombinedRolledUp_IsWhatItsOwnSqlGives(int minutesApart, int count, string unit)
    {
        var input = AnalyticsRunner.WriteLines(Timed(TimeSpan.FromMinutes(minutesApart), count));

        var own = AnalyticsRunner.Run("sql", "--input", input, "--format", "json", TimeReport.Sql).JsonRows
            .Select(r => $"{DateTime.Parse((string)r["bucket"]!, System.Globalization.CultureInfo.InvariantCulture):yyyy-MM-dd'T'HH:mm:ss'Z'} {r["event_type"]} {r["events"]}")
            .ToList();
        var report = AnalyticsRunner.Run("report", "--input", input, "--format", "json");
        var rolled = report.JsonObject["events_over_time"]!.Select(r => $"{(DateTime)r["bucket"]!:yyyy-MM-dd'T'HH:mm:ss'Z'} {r["event_type"]} {r["events"]}").ToList();

        Assert.That(rolled, Is.EqualTo(own));
        Assert.That(report.Stdout, Does.Contain($"\"bucket\": \"{own[0][..20]}\""), "ISO 8601 in UTC");
        Assert.That(report.JsonObject["events_over_time"]!.Sum(r => (long)r["events"]!), Is.EqualTo(count), "the event without a timestamp is in no bucket");
        Assert.That(AnalyticsRunner.Run("report", "--input", input).Stdout, Does.Contain($"Events over time per type (per {unit})"));
    }

    [Test]
    public void OverTime_InTheFlatTable_ByTheMinute()
    {
        var input = AnalyticsRunner.WriteLines(Timed(TimeSpan.FromMinutes(7), 20));

        var rows = AnalyticsRunner.Run("report", "--input", input, "--format", "csv").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.That(rows[0], Is.EqualTo("report,value,bucket,events"));
        Assert.That(rows, Has.Some.EqualTo("events_over_time,default,2026-11-30 23:50:00,1"));
        Assert.That(rows, Has.Some.EqualTo("events_per_type,join_guild,,13"));
    }

    [TestCase(2, "minute")]
    [TestCase(3 * 60, "hour")]
    [TestCase(14 * 24 * 60, "day")]
    public void Unit_FromTheSpan(int spanMinutes, string unit) =>
        Assert.That(TimeReport.Unit(DateTime.UnixEpoch, DateTime.UnixEpoch.AddMinutes(spanMinutes)), Is.EqualTo(unit));

    [Test]
    public void Combined_TwoReportsOverTheSameColumns_Refused() =>
        Assert.That(() => BuiltInReports.Combined([new("a", "A", EventFields.Item, EventTypes.PurchaseItem), new("b", "B", EventFields.Item, EventTypes.PurchaseSword)]),
            Throws.ArgumentException);

    [Test]
    public void Reports_NameTheDomainsFieldsAndTypes() =>
        Assert.That(BuiltInReports.All.Select(r => r.Sql), Has.Some.Contains("WHERE event_type = 'purchase_item'").And.Some.Contains("GROUP BY user_agent"));
}
