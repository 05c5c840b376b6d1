using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GameApi.Infrastructure.Kafka;

/// <summary>Ready when the broker answers metadata for the event topic with a leader for every partition.</summary>
public sealed class KafkaReadinessCheck(KafkaTopic topic) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks; keep it off the request thread.
            var partitions = await Task.Run(() => topic.ReadyPartitions(Timeout), cancellationToken);
            return partitions > 0
                ? HealthCheckResult.Healthy($"Topic '{topic.Name}' has {partitions} partition(s) with a leader.")
                : HealthCheckResult.Unhealthy($"The broker does not serve topic '{topic.Name}'.");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy($"The broker did not answer metadata for topic '{topic.Name}': {e.Error.Reason}");
        }
    }
}
