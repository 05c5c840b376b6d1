using Confluent.Kafka;
using GameApi.Infrastructure.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// Warns when the embedded broker drops events. librdkafka's mock broker silently discards a partition's
/// oldest batches past 5 MiB (src/rdkafka_mock.c, rd_kafka_mock_partition_log_append); the only sign is
/// the partition's earliest offset leaving 0. The number is also the gauge gameapi_embedded_broker_dropped.
/// </summary>
/// <remarks>
/// One ListOffsets request covers every partition, every 2 s, so the first drop is reported within
/// seconds also while the broker is busy with full load; later drops are summed up once a minute.
/// </remarks>
public sealed partial class RetentionWatch(KafkaConnection connection, KafkaTopic topic, EventMetrics metrics, TimeProvider time, ILogger<RetentionWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Reminder = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (connection.Embedded is null)
        {
            return;
        }

        DateTimeOffset? lastLine = null;
        long reported = 0;
        using var timer = new PeriodicTimer(Interval, time);
        while (await NextTickAsync(timer, stoppingToken))
        {
            IReadOnlyDictionary<int, long> earliest;
            try
            {
                earliest = await topic.EarliestOffsetsAsync(QueryTimeout);
            }
            catch (KafkaException)
            {
                // The broker did not answer in time; readiness reports an unreachable broker.
                continue;
            }

            // Offsets count records: a partition starting at N has lost its first N events.
            var dropped = earliest.Values.Sum();
            metrics.EmbeddedDropped(dropped);
            var now = time.GetUtcNow();
            if (dropped > reported && (lastLine is null || now - lastLine >= Reminder))
            {
                LogDropped(topic.Name, dropped, earliest.Count(p => p.Value > 0), earliest.Count);
                reported = dropped;
                lastLine = now;
            }
        }
    }

    // False once the service is stopped. A host whose start failed (Kestrel could not bind) is disposed
    // without StopAsync, and a cancellation thrown out of ExecuteAsync then reads as this service failing:
    // "BackgroundService failed", and a Critical line saying it stopped the host.
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The embedded broker dropped the oldest {Dropped} events of topic '{Topic}' ({Partitions} of its {Total} partitions were full). "
        + "It keeps at most 5 MiB per partition, in memory; use a real Kafka (Kafka:BootstrapServers) to keep more.")]
    private partial void LogDropped(string topic, long dropped, int partitions, int total);
}
