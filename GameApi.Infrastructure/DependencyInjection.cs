using GameApi.Domain.Events;
using GameApi.Infrastructure.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure;

public static class DependencyInjection
{
    public const string ReadyTag = "ready";

    /// <summary>Records the domain's events on Kafka (a configured cluster or the embedded broker).</summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services)
    {
        services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>();

        services.AddSingleton<KafkaConnection>();
        services.AddSingleton<KafkaTopic>();
        services.AddSingleton<IEventLogger, KafkaEventLogger>();
        services.AddHostedService<KafkaStartup>();
        services.AddHostedService<RetentionWatch>();

        services.AddHealthChecks().AddCheck<KafkaReadinessCheck>("kafka", HealthStatus.Unhealthy, [ReadyTag]);
        return services;
    }
}
