using System.Reflection;
using GameApi.Web.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.OpenApi;

namespace GameApi.Web;

public static class DependencyInjection
{
    /// <summary>Controllers, Swagger, health checks and error mapping.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddControllers(options => options.ModelMetadataDetailsProviders.Add(new KeepEmptyStrings()));
        services.AddExceptionHandler<EventNotRecordedHandler>();
        services.AddProblemDetails();
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "GameApi",
                Version = "v1",
                Description = "A game's backend: every call is recorded as a JSON event on a Kafka topic before it is answered.",
            });
            options.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml"));
        });
        return services;
    }

    /// <summary>/health/live: the process answers. /health/ready: the broker serves the event topic.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Infrastructure.DependencyInjection.ReadyTag),
        });
        return endpoints;
    }
}
