namespace GameApi.Analytics.Reports;

/// <summary>One built-in report: events counted per value of one column, optionally of one event type.</summary>
public sealed record Report(string Name, string Title, string Column, string? EventType);

/// <summary>
/// The questions the original analytics answered, as one SQL statement that DuckDB and Spark SQL both
/// accept: one grouping set per report, so the events are read once for all of them.
/// </summary>
public static class BuiltInReports
{
    public static IReadOnlyList<Report> All { get; } =
    [
        new("events_per_type", "Events per type", "event_type", null),
        new("purchases_per_item", "Purchases per item (missing and invalid included)", "item", "purchase_item"),
        new("guild_joins_per_guild", "Guild joins per guild (missing and invalid included)", "guild_id", "join_guild"),
        new("events_per_user_agent", "Events per user agent", "user_agent", null),
    ];

    /// <summary>Rows of (report, value, events), the value as text, ordered by report, then most events first.</summary>
    public static string Sql { get; } = BuildSql();

    private static string BuildSql()
    {
        // events_per_type groups by event_type alone; every other report names its own grouping set.
        var others = All.Where(r => r.Column != "event_type").ToList();
        string Which(Func<Report, string> pick) =>
            "CASE " + string.Concat(others.Select(r => $"WHEN GROUPING({r.Column}) = 0 THEN {pick(r)} ")) + $"ELSE {pick(All[0])} END";
        var sets = All.Select(r => r.EventType is null && r.Column != "event_type" ? $"({r.Column})" : r.Column == "event_type" ? "(event_type)" : $"(event_type, {r.Column})");
        var filters = others.Where(r => r.EventType is not null)
            .Select(r => $"(GROUPING({r.Column}) = 1 OR event_type = '{r.EventType}')");
        var order = string.Concat(All.Select((r, i) => $"WHEN '{r.Name}' THEN {i} "));
        return $"SELECT {Which(r => $"'{r.Name}'")} AS report, {Which(r => r.Column)} AS value, COUNT(*) AS events "
            + "FROM (SELECT CAST(event_type AS STRING) AS event_type, CAST(item AS STRING) AS item, "
            + "CAST(guild_id AS STRING) AS guild_id, CAST(user_agent AS STRING) AS user_agent FROM events) AS e "
            + $"GROUP BY GROUPING SETS ({string.Join(", ", sets)}) "
            + $"HAVING {string.Join(" AND ", filters)} "
            + $"ORDER BY CASE report {order}END, events DESC, value";
    }
}
