using GameApi.Domain.Events;

namespace GameApi.Analytics.Reports;

/// <summary>
/// One built-in report: events counted per value of one field, optionally of one event type only,
/// most events first. <see cref="Sql"/> is the report on its own.
/// </summary>
public sealed record Report(string Name, string Title, string Field, string? EventType = null)
{
    /// <summary>The report's column in <c>events</c>.</summary>
    public string Column { get; } = EventFields.ColumnName(Field);

    internal static readonly string EventTypeColumn = EventFields.ColumnName(EventFields.EventType);

    /// <summary>The columns this report groups by: its own, and event_type when it keeps one type.</summary>
    public IReadOnlyList<string> GroupedBy => EventType is null || Column == EventTypeColumn ? [Column] : [EventTypeColumn, Column];

    /// <summary>
    /// The report as one SQL statement that DuckDB and Spark SQL both accept. NULLS LAST is written out:
    /// Spark puts NULL first in ascending order (SortOrder.scala: Ascending's defaultNullOrdering is
    /// NullsFirst), DuckDB last, and the row without the field must be where it is on both engines.
    /// </summary>
    public string Sql => $"SELECT {Column}, COUNT(*) AS events FROM events "
        + (EventType is null ? "" : $"WHERE {EventTypeColumn} = '{EventType}' ")
        + $"GROUP BY {Column} ORDER BY events DESC, {Column} NULLS LAST";
}

/// <summary>
/// Events per event type over time, in buckets of a minute, an hour or a day, whichever the span of the
/// events calls for (<see cref="Unit"/>). <see cref="Sql"/> is the report on its own.
/// </summary>
public sealed record TimeReport(string Name, string Title)
{
    private static readonly string Timestamp = EventFields.ColumnName(EventFields.Timestamp);

    /// <summary>The bucket for a span: a minute up to 3 hours, an hour up to 14 days, else a day.</summary>
    public static string Unit(DateTime first, DateTime last) =>
        last - first < TimeSpan.FromHours(3) ? "minute" : last - first < TimeSpan.FromDays(14) ? "hour" : "day";

    /// <summary>How long a bucket of the unit is (UTC has no daylight saving: every day is 24 hours).</summary>
    public static TimeSpan Length(string unit) => unit switch
    {
        "minute" => TimeSpan.FromMinutes(1),
        "hour" => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    public static DateTime Truncate(DateTime time, string unit) => unit switch
    {
        "minute" => new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, DateTimeKind.Utc),
        "hour" => new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc),
        _ => new DateTime(time.Year, time.Month, time.Day, 0, 0, 0, DateTimeKind.Utc),
    };

    public const string MinuteColumn = "minute";

    /// <summary>The minute of an event, the finest bucket: what <see cref="BuiltInReports.Sql"/> groups by.</summary>
    public static string Minute => $"date_trunc('minute', {Timestamp})";

    /// <summary>The columns of its grouping set in <see cref="BuiltInReports.Sql"/>.</summary>
    public static IReadOnlyList<string> GroupedBy { get; } = [Report.EventTypeColumn, MinuteColumn];

    /// <summary>
    /// The report as one SQL statement that DuckDB and Spark SQL both accept: events per minute, the span,
    /// then the buckets the span calls for (the same rule as <see cref="Unit"/>).
    /// </summary>
    public static string Sql
    {
        get
        {
            var unit = "CASE WHEN last_minute < first_minute + INTERVAL 3 HOURS THEN 'minute' "
                + "WHEN last_minute < first_minute + INTERVAL 14 DAYS THEN 'hour' ELSE 'day' END";
            return $"WITH minutes AS (SELECT {Minute} AS minute, {Report.EventTypeColumn}, COUNT(*) AS events FROM events "
                + $"WHERE {Timestamp} IS NOT NULL GROUP BY {Minute}, {Report.EventTypeColumn}), "
                + "span AS (SELECT MIN(minute) AS first_minute, MAX(minute) AS last_minute FROM minutes) "
                + $"SELECT date_trunc({unit}, minute) AS bucket, {Report.EventTypeColumn}, CAST(SUM(events) AS BIGINT) AS events "
                + $"FROM minutes CROSS JOIN span GROUP BY date_trunc({unit}, minute), {Report.EventTypeColumn} ORDER BY bucket, {Report.EventTypeColumn} NULLS LAST";
        }
    }

    /// <summary>
    /// This report's rows of <see cref="BuiltInReports.Sql"/> (event type, minute, events) in the buckets
    /// the span calls for: (unit, rows of bucket, event_type, events), ordered by bucket, then type (events
    /// without one last, as <see cref="Sql"/> orders them).
    /// </summary>
    public static (string Unit, IReadOnlyList<(DateTime Bucket, string? EventType, long Events)> Rows) RollUp(IEnumerable<(string? EventType, DateTime Minute, long Events)> minutes)
    {
        var all = minutes.ToList();
        if (all.Count == 0)
        {
            return ("minute", []);
        }

        var unit = Unit(all.Min(m => m.Minute), all.Max(m => m.Minute));
        var rows = all.GroupBy(m => (Bucket: Truncate(m.Minute, unit), m.EventType))
            .Select(g => (g.Key.Bucket, g.Key.EventType, Events: g.Sum(m => m.Events)))
            .OrderBy(r => r.Bucket).ThenBy(r => r.EventType is null).ThenBy(r => r.EventType, StringComparer.Ordinal)
            .ToList();
        return (unit, rows);
    }
}

/// <summary>
/// The questions the original analytics answered, and events over time. Adding a report is adding an
/// entry. They run as one statement (<see cref="Sql"/>) so that the events are read once for all of them;
/// a test checks that it gives what each report's own SQL gives.
/// </summary>
public static class BuiltInReports
{
    public static IReadOnlyList<Report> All { get; } =
    [
        new("events_per_type", "Events per type", EventFields.EventType),
        new("purchases_per_item", "Purchases per item (missing and invalid included)", EventFields.Item, EventTypes.PurchaseItem),
        new("guild_joins_per_guild", "Guild joins per guild (missing and invalid included)", EventFields.GuildId, EventTypes.JoinGuild),
        new("events_per_user_agent", "Events per user agent", EventFields.UserAgent),
    ];

    public static TimeReport OverTime { get; } = new("events_over_time", "Events over time per type");

    /// <summary>
    /// Rows of (report, value, bucket, events), the value as text, ordered by report, then most events
    /// first, NULL after the values with as many (on both engines: see <see cref="Report.Sql"/>); for
    /// <see cref="OverTime"/>, the value is the event type and the bucket its minute, in order.
    /// </summary>
    public static string Sql { get; } = Combined(All, OverTime);

    /// <summary>
    /// Every report as one grouping set of one aggregate. A row belongs to the report whose grouping set it
    /// is: exactly that report's columns are grouped (GROUPING() = 0), the others are not.
    /// </summary>
    public static string Combined(IReadOnlyList<Report> reports, TimeReport? overTime = null)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var all = reports.Select(r => (r.Name, Set: r.GroupedBy, Value: r.Column)).ToList();
        if (overTime is not null)
        {
            all.Add((overTime.Name, TimeReport.GroupedBy, Report.EventTypeColumn));
        }

        var columns = all.SelectMany(r => r.Set).Distinct().ToList();
        if (all.Select(r => string.Join(",", r.Set.Order(StringComparer.Ordinal))).Distinct().Count() != all.Count)
        {
            throw new ArgumentException("Two reports group by the same columns: their rows could not be told apart.", nameof(reports));
        }

        string IsRowOf(IReadOnlyList<string> set) => string.Join(" AND ", columns.Select(c => $"GROUPING({c}) = {(set.Contains(c) ? 0 : 1)}"));
        string Case(Func<(string Name, IReadOnlyList<string> Set, string Value), string> pick) =>
            "CASE " + string.Concat(all.Select(r => $"WHEN {IsRowOf(r.Set)} THEN {pick(r)} ")) + "END";
        var minute = TimeReport.MinuteColumn;
        var filters = reports.Where(r => r.EventType is not null)
            .Select(r => $"NOT ({IsRowOf(r.GroupedBy)}) OR {Report.EventTypeColumn} = '{r.EventType}'")
            .Concat(overTime is null ? [] : [$"NOT ({IsRowOf(TimeReport.GroupedBy)}) OR {minute} IS NOT NULL"]);
        var order = string.Concat(all.Select((r, i) => $"WHEN '{r.Name}' THEN {i} "));
        var bucket = overTime is null ? "CAST(NULL AS TIMESTAMP)" : $"CASE WHEN {IsRowOf(TimeReport.GroupedBy)} THEN {minute} END";

        // Every column as text, so that one value column holds them all on both engines; the minute stays a time.
        var inner = columns.Select(c => c == minute ? $"{TimeReport.Minute} AS {minute}" : $"CAST({c} AS STRING) AS {c}");
        return $"SELECT {Case(r => $"'{r.Name}'")} AS report, {Case(r => r.Value)} AS value, {bucket} AS bucket, COUNT(*) AS events "
            + $"FROM (SELECT {string.Join(", ", inner)} FROM events) AS e "
            + $"GROUP BY GROUPING SETS ({string.Join(", ", all.Select(r => $"({string.Join(", ", r.Set)})"))}) "
            + (filters.Any() ? $"HAVING {string.Join(" AND ", filters.Select(f => $"({f})"))} " : "")
            + $"ORDER BY CASE report {order}END, bucket NULLS LAST, CASE WHEN bucket IS NULL THEN events END DESC NULLS LAST, value NULLS LAST";
    }
}
