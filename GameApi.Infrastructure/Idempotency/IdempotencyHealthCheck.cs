using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>Degraded while keys cannot be used: requests with an Idempotency-Key get 503, others are served.</summary>
public sealed class IdempotencyHealthCheck(IIdempotencyStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.Unavailable is { } problem
            ? HealthCheckResult.Degraded($"{problem} Requests with an Idempotency-Key get 503.")
            : HealthCheckResult.Healthy());
}
