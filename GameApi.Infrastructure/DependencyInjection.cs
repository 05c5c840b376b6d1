using GameApi.Domain.Events;
using GameApi.Infrastructure.Delivery;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure;

public static class DependencyInjection
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Records the domain's events on Kafka (a configured cluster or the embedded broker), through a
    /// durable local spool when Kafka does not acknowledge in time.
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
        services.AddSingleton<EventMetrics>();
        services.AddSingleton<OutageLog>();
        services.AddSingleton<IEventLogger, DurableEventLogger>();
        services.AddHostedService<KafkaStartup>();
        services.AddHostedService<SpoolRelay>();
        services.AddHostedService<RetentionWatch>();

        services.AddHealthChecks()
            .AddCheck<SpoolHealthCheck>("spool", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<KafkaReadinessCheck>("kafka", HealthStatus.Degraded, [ReadyTag]);
        return services;
    }
}
