namespace GameApi.Infrastructure.Kafka;

/// <summary>Where events go. Bound from the "Kafka" section (environment: Kafka__BootstrapServers, ...).</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>A real cluster's bootstrap servers. Empty: start the embedded broker instead.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>The topic every event is written to.</summary>
    public string Topic { get; set; } = "events";

    /// <summary>How long the producer keeps trying one message (librdkafka message.timeout.ms) before reporting it failed.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after a produce its answer comes, or never will: librdkafka reports every message within
    /// <see cref="DeliveryTimeout"/>, and the 5 s margin covers a producer replaced after a fatal error,
    /// whose deliveries never report once it is disposed.
    /// </summary>
    public TimeSpan DeliveryBound => DeliveryTimeout + TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long start waits for the cluster to answer about the topic. Past it the API starts without
    /// Kafka (events go to the spool) and keeps checking in the background.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The embedded broker's default partition count. librdkafka's mock broker keeps at most 5 MiB per
    /// partition (src/rdkafka_mock.c, rd_kafka_mock_partition_init) and silently drops the oldest batches
    /// past it; 80 partitions keep over a million events of the usual size even at one event per
    /// batch, the least compact case (docs/benchmarks.md).
    /// </summary>
    public const int EmbeddedDefaultPartitions = 80;

    /// <summary>What the mock broker keeps per partition before it drops the oldest batches.</summary>
    public const long EmbeddedBytesPerPartition = 5L * 1024 * 1024;

    /// <summary>
    /// Events of the usual size (about 250 bytes of JSON) a partition keeps at the least, when every event
    /// is a batch of its own; under load batches are larger and hold more (bench/retention.sh).
    /// </summary>
    public const int EmbeddedEventsPerPartition = 16_000;

    /// <summary>
    /// Partitions of the topic when it has to be created. Unset: 1 on a configured cluster,
    /// <see cref="EmbeddedDefaultPartitions"/> on the embedded broker.
    /// </summary>
    public int? Partitions { get; set; }

    /// <summary>The partitions a topic created by the API gets.</summary>
    public int TopicPartitions => Partitions ?? (UsesEmbeddedBroker ? EmbeddedDefaultPartitions : 1);

    /// <summary>Where the embedded broker listens, "host:port" (port 0: any free port).</summary>
    public string EmbeddedAddress { get; set; } = "127.0.0.1:9092";

    /// <summary>How long shutdown waits for events still in flight.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);
}
