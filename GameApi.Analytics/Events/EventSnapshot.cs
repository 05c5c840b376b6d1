namespace GameApi.Analytics.Events;

/// <summary>
/// The events of one run, as JSON Lines files of JSON objects only, each event_id once (events
/// without one all count), with their schema. From Kafka,
/// each line also carries the record's partition, offset and timestamp under <see cref="MetadataKeys"/>.
/// <paramref name="RunFolder"/>, when set, holds this run's own files and goes with the run.
/// <paramref name="ColumnarPaths"/>, when set, hold the same events already as the table's columns
/// (<see cref="ISegmentConverter"/>), to be read instead of the lines.
/// </summary>
public sealed record EventSnapshot(
    IReadOnlyList<string> JsonLinesPaths,
    EventSchema Schema,
    long Skipped,
    long Duplicates,
    bool HasKafkaMetadata,
    string? RunFolder = null,
    IReadOnlyList<string>? ColumnarPaths = null)
{
    public static readonly (string Key, string Column)[] MetadataKeys =
    [
        ("__kafka_partition", EventSchema.KafkaPartition),
        ("__kafka_offset", EventSchema.KafkaOffset),
        ("__kafka_timestamp_ms", EventSchema.KafkaTimestamp),
    ];
}
