using System.Globalization;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Engine;

/// <summary>
/// The <c>schema</c> table counted by a query over <c>events</c> (one aggregate, the same SQL on both
/// engines but for the quoting of names): used by Spark always, and by the embedded engine when a time
/// window leaves events out.
/// </summary>
public static class ColumnCounts
{
    /// <param name="identifier">
    /// The engine's quoting of a name, used for every column: names such as <c>null</c>, <c>true</c> or
    /// <c>distinct</c> (keys an event may carry) would otherwise be read as literals or keywords.
    /// </param>
    public static string Sql(EventSchema schema, Func<string, string> identifier)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(identifier);
        return "SELECT COUNT(*) AS events, "
            + string.Join(", ", schema.Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"COUNT({identifier(c.Name)}) AS c{i}")))
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
}
