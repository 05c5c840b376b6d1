namespace GameApi.Analytics.Events;

/// <summary>
/// The events of one run, as a JSON Lines file of JSON objects only, each event_id once (events
/// without one all count), with their schema. From Kafka,
/// each line also carries the record's partition, offset and timestamp under <see cref="MetadataKeys"/>.
/// </summary>
public sealed record EventSnapshot(string JsonLinesPath, EventSchema Schema, long Skipped, long Duplicates, bool HasKafkaMetadata)
{
    public static readonly (string Key, string Column)[] MetadataKeys =
    [
        ("__kafka_partition", EventSchema.KafkaPartition),
        ("__kafka_offset", EventSchema.KafkaOffset),
        ("__kafka_timestamp_ms", EventSchema.KafkaTimestamp),
    ];
}
