using System.Globalization;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Engine;

/// <summary>
/// The <c>schema</c> table counted by a query over <c>events</c> (one aggregate, plain SQL for both
/// engines): used by Spark always, and by the embedded engine when a time window leaves events out.
/// </summary>
public static class ColumnCounts
{
    public static string Sql(EventSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return "SELECT COUNT(*) AS events, "
            + string.Join(", ", schema.Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"COUNT({Identifier(c.Name)}) AS c{i}")))
            + " FROM events";
    }

    /// <summary>Column, type, events carrying it and their share, from the row <see cref="Sql"/> returned.</summary>
    public static QueryResult Result(EventSchema schema, object?[] counts)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(counts);
        var events = Whole(counts[0]);
        return new QueryResult(["column", "type", "events", "percent"], schema.Columns.Select((c, i) =>
        {
            var carried = Whole(counts[i + 1]);
            return new object?[] { c.Name, c.Type.ToString().ToLowerInvariant(), carried, events == 0 ? 0 : Math.Round(100.0 * carried / events, 2) };
        }).ToList());
    }

    private static long Whole(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    // Our column names are snake_case and need no quotes, which keeps the query plain SQL; others get
    // backquotes, which Spark reads and DuckDB does not need (it never gets such a name: EventFields.ColumnName).
    private static string Identifier(string name) =>
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') ? name : "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
}
