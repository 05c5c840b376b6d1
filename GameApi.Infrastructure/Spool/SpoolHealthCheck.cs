using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GameApi.Infrastructure.Spool;

/// <summary>Ready while events can be recorded: the spool can be written and has room. Reports the backlog.</summary>
public sealed class SpoolHealthCheck(EventSpool spool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        spool.CheckFile();
        var data = new Dictionary<string, object> { ["backlog"] = spool.Count, ["bytes"] = spool.Bytes };
        var result = (spool.Error ?? spool.Damaged ?? spool.WriteError) is { } error ? HealthCheckResult.Unhealthy(error, data: data)
            : spool.IsFull ? HealthCheckResult.Unhealthy($"The spool at {spool.Path} is full.", data: data)
            : HealthCheckResult.Healthy($"{spool.Count} events waiting for Kafka.", data);
        return Task.FromResult(result);
    }
}
