using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// Warns when the embedded broker drops events. librdkafka's mock broker silently discards a partition's
/// oldest data past 5 MiB; the only sign is the low watermark leaving 0.
/// </summary>
public sealed partial class RetentionWatch(KafkaConnection connection, KafkaTopic topic, ILogger<RetentionWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (connection.Embedded is null)
        {
            return;
        }

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = connection.BootstrapServers,
            GroupId = "gameapi-retention-watch",
        }).Build();
        var reported = new Dictionary<int, long>();
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            int partitions;
            try
            {
                partitions = topic.ReadyPartitions(TimeSpan.FromSeconds(2));
                for (var p = 0; p < partitions; p++)
                {
                    var low = consumer.QueryWatermarkOffsets(new TopicPartition(topic.Name, p), TimeSpan.FromSeconds(2)).Low.Value;
                    if (low > 0 && reported.GetValueOrDefault(p) != low)
                    {
                        reported[p] = low;
                        LogDropped(topic.Name, p, low);
                    }
                }
            }
            catch (KafkaException)
            {
                // The broker is unreachable; readiness reports that.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The embedded broker dropped events: partition {Partition} of '{Topic}' now starts at offset {Low}. "
        + "It keeps at most 5 MiB per partition; use a real Kafka (Kafka:BootstrapServers) for more.")]
    private partial void LogDropped(string topic, int partition, long low);
}
