using DuckDB.NET.Data;
using GameApi.Analytics.Spark;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>Spark's intervals are written as DuckDB writes the same interval; DuckDB itself is the reference.</summary>
public class IntervalTextTests
{
    [Test]
    public void Months_AsDuckDbWritesThem()
    {
        var months = Enumerable.Range(-30, 61).ToList();

        var expected = DuckDb("SELECT CAST(to_months(CAST(n AS INTEGER)) AS VARCHAR) FROM range(-30, 31) t(n) ORDER BY n");

        Assert.That(months.Select(IntervalText.Months), Is.EqualTo(expected));
        Assert.That(expected, Does.Contain("-1 year -2 months").And.Contain("1 month").And.Contain("2 years 6 months").And.Contain("00:00:00"));
    }

    [TestCase(0, 0L)]
    [TestCase(3, 0L)]
    [TestCase(1, 3_600_000_000L)]
    [TestCase(0, 5_400_000_000L)]
    [TestCase(0, 1_500L)]
    [TestCase(0, -1L)]
    [TestCase(-1, -5_400_500_000L)]
    [TestCase(-2, 0L)]
    [TestCase(400, 86_399_999_999L)]
    public void DaysAndTime_AsDuckDbWritesThem(int days, long micros)
    {
        var span = TimeSpan.FromDays(days) + TimeSpan.FromMicroseconds(micros);

        var expected = DuckDb($"SELECT CAST(to_days({days}) + to_microseconds({micros}) AS VARCHAR)").Single();

        Assert.That(IntervalText.DaysAndTime(span), Is.EqualTo(expected));
    }

    private static List<string> DuckDb(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var query = duck.CreateCommand();
        query.CommandText = sql;
        using var reader = query.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
