using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// Whether the broker answers metadata for the event topic. Without it events go to the spool, so the
/// API is degraded, not unready.
/// </summary>
public sealed class KafkaReadinessCheck(KafkaTopic topic, EventProducer producer) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (producer.Recovering)
        {
            return HealthCheckResult.Degraded("The Kafka producer is being replaced after a fatal error: events go to the spool until the new one delivers.");
        }

        try
        {
            // GetMetadata blocks; keep it off the request thread.
            var partitions = await Task.Run(() => topic.ReadyPartitions(Timeout), cancellationToken);
            return partitions > 0
                ? HealthCheckResult.Healthy($"Topic '{topic.Name}' has {partitions} partition(s) with a leader.")
                : HealthCheckResult.Degraded($"The broker does not serve topic '{topic.Name}': events go to the spool.");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Degraded($"The broker did not answer metadata for topic '{topic.Name}' ({e.Error.Reason}): events go to the spool.");
        }
    }
}
