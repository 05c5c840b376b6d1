using GameApi.Domain.Events;
using GameApi.Infrastructure.Delivery;
using GameApi.Infrastructure.Idempotency;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Settings;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure;

public static class DependencyInjection
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Records the domain's events on Kafka (a configured cluster or the embedded broker), through a
    /// durable local spool when Kafka does not acknowledge in time; keeps the answers to requests sent
    /// with an Idempotency-Key (a local SQLite file, or Redis shared by every instance).
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>();

        services.AddOptions<SpoolOptions>()
            .BindConfiguration(SpoolOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SpoolOptions>, SpoolOptionsValidator>();

        services.AddSingleton<KafkaConnection>();
        services.AddSingleton<KafkaTopic>();
        services.AddSingleton<EventProducer>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SpoolOptions>>().Value;
            var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new EventSpool(Path.Combine(root, options.Path), options.MaxBytes);
        });
        services.AddOptions<IdempotencyOptions>()
            .BindConfiguration(IdempotencyOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdempotencyOptions>, IdempotencyOptionsValidator>();
        services.AddSingleton<IIdempotencyStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IdempotencyOptions>>().Value;
            if (!string.IsNullOrWhiteSpace(options.Redis))
            {
                return new RedisIdempotencyStore(options.Redis, options.Retention, sp.GetRequiredService<ILogger<RedisIdempotencyStore>>());
            }

            var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new SqliteIdempotencyStore(Path.Combine(root, options.Path), options.Retention, options.MaxKeys,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SqliteIdempotencyStore>>(),
                forgetEarlierRuns: sp.GetRequiredService<IOptions<KafkaOptions>>().Value.UsesEmbeddedBroker);
        });

        services.AddSingleton<EventMetrics>();
        services.AddSingleton<OutageLog>();
        services.AddSingleton<IEventLogger, DurableEventLogger>();
        services.AddHostedService<UnknownSettingsWarning>();
        services.AddHostedService<SpoolStartup>();
        services.AddHostedService<KafkaStartup>();
        services.AddHostedService<SpoolRelay>();
        services.AddHostedService<RetentionWatch>();
        services.AddHostedService<IdempotencyStartup>();

        services.AddHealthChecks()
            .AddCheck<SpoolHealthCheck>("spool", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<KafkaReadinessCheck>("kafka", HealthStatus.Degraded, [ReadyTag])
            .AddCheck<IdempotencyHealthCheck>("idempotency", HealthStatus.Degraded, [ReadyTag]);
        return services;
    }
}
