namespace GameApi.Analytics.Events;

/// <summary>
/// The events of one run, as JSON Lines files of JSON objects only, each event_id once (events
/// without one all count), with their schema. From Kafka,
/// each line also carries the record's partition, offset and timestamp under <see cref="MetadataKeys"/>.
/// <paramref name="RunFolder"/>, when set, holds this run's own files and goes with the run.
/// </summary>
public sealed record EventSnapshot(IReadOnlyList<string> JsonLinesPaths, EventSchema Schema, long Skipped, long Duplicates, bool HasKafkaMetadata, string? RunFolder = null)
{
    public static readonly (string Key, string Column)[] MetadataKeys =
    [
        ("__kafka_partition", EventSchema.KafkaPartition),
        ("__kafka_offset", EventSchema.KafkaOffset),
        ("__kafka_timestamp_ms", EventSchema.KafkaTimestamp),
    ];
}
