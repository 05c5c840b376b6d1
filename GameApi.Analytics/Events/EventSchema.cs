using GameApi.Domain.Events;

namespace GameApi.Analytics.Events;

/// <summary>A top-level field seen in the events, with every kind of value it had.</summary>
public sealed record SourceField(string Key, FieldKinds Kinds);

/// <summary>A column of the events table: one or more JSON keys that share a snake_case name.</summary>
public sealed record EventColumn(string Name, ColumnType Type, IReadOnlyList<string> Keys, long EventsWithValue);

public enum ColumnType
{
    Text,
    Integer,
    Float,
    Boolean,
    Timestamp,
}

/// <summary>
/// The events table's columns: the union over all events of their top-level fields, named in
/// snake_case, each typed with the one type all its values share, else text (as Spark infers JSON).
/// </summary>
public sealed class EventSchema
{
    public const string KafkaPartition = "kafka_partition";
    public const string KafkaOffset = "kafka_offset";
    public const string KafkaTimestamp = "kafka_timestamp";

    /// <summary>
    /// The event's own time, a timestamp (UTC) whatever its JSON kind: text in ISO 8601 is parsed, with
    /// its offset applied; anything else is NULL.
    /// </summary>
    public static readonly string TimestampColumn = EventFields.ColumnName(EventFields.Timestamp);

    private EventSchema(IReadOnlyList<EventColumn> columns, long events) => (Columns, Events) = (columns, events);

    /// <summary>
    /// The known fields' columns first (the domain's <see cref="EventFields.Known"/>, NULL when no event
    /// carries them), in that order, then the others by name,
    /// then the Kafka metadata columns. Not by first appearance: partitions are read interleaved, so
    /// which event comes first differs between two runs over the same topic.
    /// </summary>
    public IReadOnlyList<EventColumn> Columns { get; }

    public long Events { get; }

    public static EventSchema From(IEnumerable<SourceField> fields, IReadOnlyDictionary<string, long> counts, long events)
    {
        var seen = fields.ToList();

        // A known field no event carries is still a column (NULL); one that events carry under another
        // letter case is read under that spelling only.
        var absent = EventFields.Known.Where(k => !seen.Any(f => f.Key.Equals(k, StringComparison.OrdinalIgnoreCase)));
        var byName = new Dictionary<string, (FieldKinds Kinds, List<string> Keys)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var field in seen.Concat(absent.Select(k => new SourceField(k, FieldKinds.None))))
        {
            var name = EventFields.ColumnName(field.Key);
            if (name is KafkaPartition or KafkaOffset or KafkaTimestamp)
            {
                name = "event_" + name; // the Kafka metadata columns keep their names
            }

            if (!byName.TryGetValue(name, out var entry))
            {
                entry = (FieldKinds.None, []);
                order.Add(name);
            }

            // Every spelling is a key of its own (User-Agent, user-agent, user_agent): JSON keys are case-sensitive.
            if (!entry.Keys.Contains(field.Key, StringComparer.Ordinal))
            {
                entry.Keys.Add(field.Key);
            }

            byName[name] = (entry.Kinds | field.Kinds, entry.Keys);
        }

        var known = EventFields.Known.Select(EventFields.ColumnName).ToList();
        var columns = known.Concat(order.Except(known).Order(StringComparer.Ordinal))
            .Select(n => (Name: n, Keys: KeyOrder(n, byName[n].Keys)))
            .Select(c => new EventColumn(c.Name, c.Name == TimestampColumn ? ColumnType.Timestamp : TypeOf(byName[c.Name].Kinds), c.Keys, c.Keys.Sum(k => counts.GetValueOrDefault(k))))
            .Concat([
                new EventColumn(KafkaPartition, ColumnType.Integer, [], 0),
                new EventColumn(KafkaOffset, ColumnType.Integer, [], 0),
                new EventColumn(KafkaTimestamp, ColumnType.Timestamp, [], 0),
            ])
            .ToList();
        return new EventSchema(columns, events);
    }

    // The order a column's keys are read in (the first with a value wins): a known field's own spelling
    // first, so that a header spelled otherwise (Event-Type, written by producers that let headers through)
    // never stands in for the event's own value; then by name, the same in every run.
    private static List<string> KeyOrder(string column, List<string> keys)
    {
        var own = EventFields.Known.FirstOrDefault(k => EventFields.ColumnName(k) == column);
        return keys.OrderBy(k => k == own ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal).ToList();
    }

    private static ColumnType TypeOf(FieldKinds kinds) => (kinds & ~FieldKinds.Null) switch
    {
        FieldKinds.Integer => ColumnType.Integer,
        FieldKinds.Float or (FieldKinds.Integer | FieldKinds.Float) => ColumnType.Float,
        FieldKinds.Boolean => ColumnType.Boolean,
        _ => ColumnType.Text, // strings, nested JSON (as text), no values at all, or a mix
    };
}
