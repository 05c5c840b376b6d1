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

    [Test]
    public void Combined_TwoReportsOverTheSameColumns_Refused() =>
        Assert.That(() => BuiltInReports.Combined([new("a", "A", EventFields.Item, EventTypes.PurchaseItem), new("b", "B", EventFields.Item, EventTypes.PurchaseSword)]),
            Throws.ArgumentException);

    [Test]
    public void Reports_NameTheDomainsFieldsAndTypes() =>
        Assert.That(BuiltInReports.All.Select(r => r.Sql), Has.Some.Contains("WHERE event_type = 'purchase_item'").And.Some.Contains("GROUP BY user_agent"));
}
