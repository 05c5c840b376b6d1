using GameApi.Analytics.Events;
using GameApi.Analytics.Spark.Protocol;

namespace GameApi.Analytics.Spark;

/// <summary>
/// What Spark runs to build <c>events</c>, in three steps, so that the table has the embedded engine's
/// columns and types for the same events:
/// <list type="number">
/// <item><see cref="ReadTopic"/>: one batch read of the whole topic (earliest to latest), cached, so every
/// later step and query sees one snapshot and Kafka is read once.</item>
/// <item><see cref="Inference"/>: Spark's own JSON schema inference over every record of that snapshot
/// (the Parse relation, <c>spark.read.json</c>; samplingRatio 1.0, its default).</item>
/// <item><see cref="BuildEvents"/>: the view, with the columns <see cref="EventSchema"/> derives from the
/// inferred fields (the same rules as the embedded engine), parsed with <c>from_json</c>, junk skipped,
/// each event_id once, cached.</item>
/// </list>
/// </summary>
public static class SparkEventsSql
{
    public const string KafkaView = "gameapi_kafka";
    public const string Records = "gameapi_records";

    /// <summary>Every event, each event_id once, before <c>--since</c> / <c>--until</c>: what resent events are counted against.</summary>
    public const string Deduplicated = "gameapi_events";
    public const string Events = "events";

    // A JSON object, as the embedded engine counts one: starts with "{" after JSON whitespace and parses.
    private const string IsObject = "json RLIKE '^[ \\t\\n\\r]*[{]' AND get_json_object(json, '$') IS NOT NULL";

    /// <summary>
    /// The session's time zone is UTC, as the embedded engine's: timestamps written without an offset
    /// mean UTC, and results show UTC. Then the topic, read once into a cached snapshot.
    /// </summary>
    /// <remarks>
    /// <c>CACHE TABLE x AS</c> never replaces a view (CacheTableExec.scala: CreateViewCommand with
    /// replace = false, on 3.5 and 4.x), and a session named with <c>session_id</c> may still hold an earlier
    /// run's snapshot (one that ended before its clean-up, or any run on 3.5, whose sessions live until they
    /// expire): it is dropped first.
    /// </remarks>
    public static IReadOnlyList<string> ReadTopic(string bootstrapServers, string topic) =>
    [
        "SET spark.sql.session.timeZone = UTC",
        $"CREATE OR REPLACE TEMPORARY VIEW {KafkaView} USING kafka OPTIONS ("
            + $"'kafka.bootstrap.servers' = {Literal(bootstrapServers)}, 'subscribe' = {Literal(topic)}, "
            + "'startingOffsets' = 'earliest', 'endingOffsets' = 'latest')",
        $"DROP VIEW IF EXISTS {Records}",
        $"CACHE TABLE {Records} AS SELECT CAST(value AS STRING) AS json, partition, `offset`, timestamp FROM {KafkaView}",
    ];

    /// <summary>
    /// Around <see cref="Inference"/> and <see cref="BuildEvents"/>: JSON keys are case-sensitive, and with
    /// Spark's default resolver inference merges <c>Host</c> and <c>host</c> into one field
    /// (TypeCoercion.findTypeForComplex), whose other spelling the parser then never reads. The user's
    /// queries run with the default again.
    /// </summary>
    public static string CaseSensitive { get; } = "SET spark.sql.caseSensitive = true";

    public static string CaseSensitiveOff { get; } = "RESET spark.sql.caseSensitive";

    /// <summary>
    /// <c>spark.read.json</c> over the snapshot's JSON objects: asking for its schema makes Spark infer it
    /// from every record. DROPMALFORMED: a record that does not parse adds no field.
    /// </summary>
    public static Relation Inference() => new()
    {
        Parse = new Parse
        {
            Input = new Relation { Sql = new SQL { Query = $"SELECT json FROM {Records} WHERE {IsObject}" } },
            Format = Parse.Types.ParseFormat.Json,
            Options = { ["mode"] = "DROPMALFORMED" },
        },
    };

    /// <summary>
    /// The events view and its cache, over a view of every event (<see cref="Deduplicated"/>) that the time
    /// window then filters, as the embedded engine counts resent events before the window. Each JSON key is read with the type of its column (objects and arrays
    /// in text columns keep their JSON text); the keys are then renamed by position, because Spark resolves
    /// names without regard to case and two keys may differ only in case.
    /// </summary>
    public static IReadOnlyList<string> BuildEvents(EventSchema schema, TimeWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        window ??= TimeWindow.All;
        var keys = schema.Columns.SelectMany(c => c.Keys.Select(k => (Key: k, c.Type))).ToList();
        var position = keys.Select((k, i) => (k.Key, i)).ToDictionary(p => p.Key, p => $"f{p.i}", StringComparer.Ordinal);

        // Every column but the Kafka ones has keys: the known fields are always read (NULL where absent).
        string ValueOf(EventColumn column)
        {
            if (column.Keys.Count == 0)
            {
                // A record's timestamp is any 64-bit number its producer set.
                return column.Type == ColumnType.Timestamp ? TimeWindow.WithinYears1To9999(column.Name) : column.Name;
            }

            var value = column.Keys.Count == 1 ? position[column.Keys[0]] : $"coalesce({string.Join(", ", column.Keys.Select(k => position[k]))})";
            return column.Type == ColumnType.Timestamp ? TimeWindow.WithinYears1To9999(ParsedTimestamp(value)) : value;
        }

        var ddl = string.Join(", ", keys.Select(k => $"{Identifier(k.Key)} {ReadType(k.Type)}"));
        var rows = $"SELECT * FROM (SELECT j.*, kafka_partition, kafka_offset, kafka_timestamp FROM ("
            + $"SELECT partition AS kafka_partition, `offset` AS kafka_offset, timestamp AS kafka_timestamp, from_json(json, {Literal(ddl)}) AS j "
            + $"FROM {Records} WHERE {IsObject}) AS p) AS r({string.Join(", ", keys.Select(k => position[k.Key]))}, kafka_partition, kafka_offset, kafka_timestamp)";

        var eventId = schema.Columns.Single(c => c.Name == Domain.Events.EventFields.ColumnName(Domain.Events.EventFields.EventId));
        var select = string.Join(", ", schema.Columns.Select(c => $"{ValueOf(c)} AS {Identifier(c.Name)}"));
        var output = string.Join(", ", schema.Columns.Select(c => Identifier(c.Name)));

        // A record without an event_id is one event: it gets a key of its own for the deduplication.
        return
        [
            $"CREATE OR REPLACE TEMPORARY VIEW {Deduplicated} AS SELECT {output} FROM ("
                + $"SELECT {select}, row_number() OVER (PARTITION BY coalesce(CAST({ValueOf(eventId)} AS STRING), "
                + "concat('record ', kafka_partition, '/', kafka_offset)) ORDER BY kafka_partition, kafka_offset) AS gameapi_copy "
                + $"FROM ({rows}) AS e) AS deduplicated WHERE gameapi_copy = 1",
            $"CREATE OR REPLACE TEMPORARY VIEW {Events} AS SELECT * FROM {Deduplicated}"
                + (window.IsAll ? "" : $" WHERE {window.Condition(Identifier(EventSchema.TimestampColumn))}"),
            $"CACHE TABLE {Events}",
        ];
    }

    /// <summary>
    /// Records read, JSON objects among them, and events after counting each event_id once, all before the
    /// time window (without one, the cached <c>events</c> are counted).
    /// </summary>
    public static string Counts(TimeWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return $"SELECT (SELECT COUNT(*) FROM {Records}) AS records, (SELECT COUNT(*) FROM {Records} WHERE {IsObject}) AS objects, "
            + $"(SELECT COUNT(*) FROM {(window.IsAll ? Events : Deduplicated)}) AS events";
    }

    /// <summary>
    /// What a run leaves in the session, dropped at its end: the views, and with them their caches (dropping
    /// a temporary view uncaches it: DropTableCommand in sql/core/.../execution/command/ddl.scala). A session
    /// named with <c>session_id</c> is not released, so it must be left as it was found.
    /// </summary>
    public static IReadOnlyList<string> Cleanup { get; } =
    [
        $"DROP VIEW IF EXISTS {Events}", $"DROP VIEW IF EXISTS {Deduplicated}", $"DROP VIEW IF EXISTS {Records}", $"DROP VIEW IF EXISTS {KafkaView}",
    ];

    /// <summary>A Spark SQL string literal: backslashes and quotes escaped with a backslash.</summary>
    public static string Literal(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>A Spark SQL name: in backquotes, a backquote doubled.</summary>
    public static string Identifier(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    // Only text that starts with a date (yyyy-mm-dd) is a time, as on the embedded engine (DuckDbEngine's
    // ParsedTimestamp). Spark's cast alone also reads "2026", "2026-03", " 2026-03-01" (trimmed) and a time
    // of day alone ("10:15:00", "T10:15"), dated today in the session's zone (SparkDateTimeUtils.scala,
    // stringToTimestamp): such an event would move with the day of the run.
    private static string ParsedTimestamp(string text) =>
        $"CASE WHEN {text} RLIKE '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}' THEN try_cast({text} AS TIMESTAMP) END";

    // How from_json reads a key: the timestamp as text, parsed afterwards so that an odd value is NULL.
    private static string ReadType(ColumnType type) => type switch
    {
        ColumnType.Integer => "BIGINT",
        ColumnType.Float => "DOUBLE",
        ColumnType.Boolean => "BOOLEAN",
        _ => "STRING",
    };
}
