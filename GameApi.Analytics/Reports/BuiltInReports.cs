using GameApi.Analytics.Events;
using GameApi.Domain.Events;

namespace GameApi.Analytics.Reports;

/// <summary>
/// One built-in report: events counted per value of one field, optionally of one event type only,
/// most events first. <see cref="Sql"/> is the report on its own.
/// </summary>
public sealed record Report(string Name, string Title, string Field, string? EventType = null)
{
    /// <summary>The report's column in <c>events</c>.</summary>
    public string Column { get; } = EventSchema.SnakeCase(Field);

    internal static readonly string EventTypeColumn = EventSchema.SnakeCase(EventFields.EventType);

    /// <summary>The columns this report groups by: its own, and event_type when it keeps one type.</summary>
    public IReadOnlyList<string> GroupedBy => EventType is null || Column == EventTypeColumn ? [Column] : [EventTypeColumn, Column];

    /// <summary>The report as one SQL statement that DuckDB and Spark SQL both accept.</summary>
    public string Sql => $"SELECT {Column}, COUNT(*) AS events FROM events "
        + (EventType is null ? "" : $"WHERE {EventTypeColumn} = '{EventType}' ")
        + $"GROUP BY {Column} ORDER BY events DESC, {Column}";
}

/// <summary>
/// The questions the original analytics answered. Adding a report is adding an entry. They run as one
/// statement (<see cref="Sql"/>) so that the events are read once for all of them; a test checks that it
/// gives what each report's own SQL gives.
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

    /// <summary>Rows of (report, value, events), the value as text, ordered by report, then most events first.</summary>
    public static string Sql { get; } = Combined(All);

    /// <summary>
    /// Every report as one grouping set of one aggregate. A row belongs to the report whose grouping set it
    /// is: exactly that report's columns are grouped (GROUPING() = 0), the others are not.
    /// </summary>
    public static string Combined(IReadOnlyList<Report> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var columns = reports.SelectMany(r => r.GroupedBy).Distinct().ToList();
        if (reports.Select(r => string.Join(",", r.GroupedBy.Order(StringComparer.Ordinal))).Distinct().Count() != reports.Count)
        {
            throw new ArgumentException("Two reports group by the same columns: their rows could not be told apart.", nameof(reports));
        }

        string IsRowOf(Report r) => string.Join(" AND ", columns.Select(c => $"GROUPING({c}) = {(r.GroupedBy.Contains(c) ? 0 : 1)}"));
        string Case(Func<Report, string> pick) => "CASE " + string.Concat(reports.Select(r => $"WHEN {IsRowOf(r)} THEN {pick(r)} ")) + "END";
        var filters = reports.Where(r => r.EventType is not null)
            .Select(r => $"NOT ({IsRowOf(r)}) OR {Report.EventTypeColumn} = '{r.EventType}'");
        var order = string.Concat(reports.Select((r, i) => $"WHEN '{r.Name}' THEN {i} "));

        // Every column as text, so that one value column holds them all on both engines.
        return $"SELECT {Case(r => $"'{r.Name}'")} AS report, {Case(r => r.Column)} AS value, COUNT(*) AS events "
            + $"FROM (SELECT {string.Join(", ", columns.Select(c => $"CAST({c} AS STRING) AS {c}"))} FROM events) AS e "
            + $"GROUP BY GROUPING SETS ({string.Join(", ", reports.Select(r => $"({string.Join(", ", r.GroupedBy)})"))}) "
            + (filters.Any() ? $"HAVING {string.Join(" AND ", filters.Select(f => $"({f})"))} " : "")
            + $"ORDER BY CASE report {order}END, events DESC, value";
    }
}
