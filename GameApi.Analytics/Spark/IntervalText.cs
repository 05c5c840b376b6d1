using System.Globalization;
using static System.FormattableString;

namespace GameApi.Analytics.Spark;

/// <summary>
/// Spark's intervals written as the embedded engine (DuckDB) writes its own, so a query gives the same
/// text on both: "1 year 2 months", "1 day 01:30:00", "00:00:00.5".
/// </summary>
internal static class IntervalText
{
    private const string Zero = "00:00:00";

    /// <summary>A year-month interval (Arrow Interval YEAR_MONTH), from its number of months.</summary>
    public static string Months(int months)
    {
        if (months == 0)
        {
            return Zero;
        }

        var (years, rest) = (months / 12, months % 12);
        return Join(years == 0 ? null : Count(years, "year"), rest == 0 ? null : Count(rest, "month"));
    }

    /// <summary>A day-time interval (Arrow Duration): whole days, then the time of day, each with its sign.</summary>
    public static string DaysAndTime(TimeSpan span)
    {
        var days = span.Days; // toward zero, so the rest has the same sign
        var rest = span - TimeSpan.FromDays(days);
        if (days == 0)
        {
            return Clock(rest);
        }

        return Join(Count(days, "day"), rest == TimeSpan.Zero ? null : Clock(rest));
    }

    /// <summary>A calendar interval (4.x: Arrow Interval MONTH_DAY_NANO): months, then days, then the time.</summary>
    public static string Calendar(int months, int days, long nanoseconds)
    {
        var parts = new[]
        {
            months == 0 ? null : Months(months),
            days == 0 ? null : Count(days, "day"),
            nanoseconds == 0 ? null : Clock(TimeSpan.FromTicks(nanoseconds / 100)),
        };
        return parts.Any(p => p is not null) ? string.Join(" ", parts.Where(p => p is not null)) : Zero;
    }

    private static string Count(int n, string unit) => Invariant($"{n} {unit}{(Math.Abs(n) == 1 ? "" : "s")}");

    private static string Join(string? first, string? second) =>
        first is null ? second! : second is null ? first : $"{first} {second}";

    // Hours past 24 stay hours; fractions of a second to the microsecond, trailing zeros dropped.
    private static string Clock(TimeSpan time)
    {
        var sign = time < TimeSpan.Zero ? "-" : "";
        var size = time.Duration();
        var text = Invariant($"{sign}{(long)size.TotalHours:00}:{size.Minutes:00}:{size.Seconds:00}");
        var micros = size.Ticks / 10 % 1_000_000;
        return micros == 0 ? text : $"{text}.{micros.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0')}";
    }
}
