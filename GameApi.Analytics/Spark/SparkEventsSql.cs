using System.Globalization;

namespace GameApi.Analytics.Spark;

/// <summary>
/// The Spark SQL that builds <c>events</c> over the Kafka source: a batch read of the whole topic
/// (earliest to latest offsets), the known event fields and headers pulled out with <c>json_tuple</c>,
/// junk skipped, each <c>event_id</c> once, cached so every query of a run sees one snapshot.
/// </summary>
public static class SparkEventsSql
{
    /// <summary>JSON key and column, named as the embedded engine names them (the known fields and Accept).</summary>
    public static IReadOnlyList<(string Key, string Column)> Fields { get; } =
    [
        ("event_type", "event_type"),
        ("item", "item"),
        ("guild_id", "guild_id"),
        ("event_id", "event_id"),
        ("timestamp", "timestamp"),
        ("Host", "host"),
        ("User-Agent", "user_agent"),
        ("Accept", "accept"),
    ];

    public static IReadOnlyList<string> Statements(string bootstrapServers, string topic) =>
    [
        "CREATE OR REPLACE TEMPORARY VIEW kafka_raw USING kafka OPTIONS ("
            + $"'kafka.bootstrap.servers' = {Literal(bootstrapServers)}, 'subscribe' = {Literal(topic)}, "
            + "'startingOffsets' = 'earliest', 'endingOffsets' = 'latest')",
        EventsView(),
        "CACHE TABLE events",
    ];

    private static string EventsView()
    {
        var keys = string.Join(", ", Fields.Select(f => Literal(f.Key)));
        var names = string.Join(", ", Fields.Select(f => Identifier(f.Column)));
        var columns = string.Join(", ", Fields.Select(f => $"j.{Identifier(f.Column)}"));
        // A record without an event_id is one event: give it a key of its own for the deduplication.
        return "CREATE OR REPLACE TEMPORARY VIEW events AS "
            + $"SELECT {string.Join(", ", Fields.Select(f => Identifier(f.Column)))}, kafka_partition, kafka_offset, kafka_timestamp FROM ("
            + $"SELECT {columns}, r.kafka_partition, r.kafka_offset, r.kafka_timestamp, "
            + "row_number() OVER (PARTITION BY coalesce(j.`event_id`, concat('record ', r.kafka_partition, '/', r.kafka_offset)) "
            + "ORDER BY r.kafka_partition, r.kafka_offset) AS gameapi_copy "
            + "FROM (SELECT CAST(value AS STRING) AS json, partition AS kafka_partition, offset AS kafka_offset, timestamp AS kafka_timestamp FROM kafka_raw) AS r "
            + $"LATERAL VIEW json_tuple(r.json, {keys}) j AS {names} "
            + "WHERE ltrim(r.json) LIKE '{%' AND get_json_object(r.json, '$') IS NOT NULL"
            + ") AS deduplicated WHERE gameapi_copy = 1";
    }

    /// <summary>A Spark SQL string literal: backslashes and quotes escaped with a backslash.</summary>
    public static string Literal(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string Identifier(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <summary>How many events carry each column: one aggregate over the cached view.</summary>
    public static string ColumnCounts(IEnumerable<string> columns) =>
        "SELECT COUNT(*) AS events, " + string.Join(", ", columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"COUNT({PlainIdentifier(c)}) AS c{i}"))) + " FROM events";

    // Our column names are snake_case and need no quotes, which keeps this query plain SQL.
    private static string PlainIdentifier(string name) =>
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') ? name : Identifier(name);
}
