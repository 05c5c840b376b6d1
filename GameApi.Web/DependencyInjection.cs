using System.Reflection;
using GameApi.Infrastructure.Delivery;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using GameApi.Web.Http;
using GameApi.Web.Idempotency;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace GameApi.Web;

public static class DependencyInjection
{
    /// <summary>OpenTelemetry's service.name: the job label dashboards and alerts select on.</summary>
    public const string ServiceName = "gameapi";

    /// <summary>Controllers (each with Idempotency-Key handling), Swagger, health checks, error mapping and the shutdown timeout.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<HostOptions>, ShutdownTimeout>();
        services.AddSingleton<IdempotencyFilter>();
        services.AddControllers(options =>
        {
            options.ModelMetadataDetailsProviders.Add(new KeepEmptyStrings());
            options.Filters.AddService<IdempotencyFilter>();
        });
        services.AddExceptionHandler<EventNotRecordedHandler>();
        services.AddProblemDetails();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(EventMetrics.MeterName)
                // http.server.request.duration per route and status, the runtime's GC, thread pool and
                // exceptions, the process's CPU and memory: what an operator charts next to the events.
                .AddAspNetCoreInstrumentation()
                // Counted per buffer rent and per route match: a cost on every request that no chart uses.
                .AddView("aspnetcore.memory_pool.*", MetricStreamConfiguration.Drop)
                .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter());
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "GameApi",
                Version = "v1",
                Description = "A game's backend: every call is recorded as a JSON event before it is answered, on Kafka or, while Kafka is slow or down, in a durable local spool relayed to Kafka later.",
            });
            options.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml"));
            options.OperationFilter<AllowEmptyQueryValues>();
            options.OperationFilter<IdempotencyKeyOperationFilter>(); // after the XML comments, whose text it extends
        });
        return services;
    }

    // Mapped as they are, these answered every method with 200, TRACE and DELETE included; like the game
    // endpoints, other methods get 405 with an Allow header.
    private static readonly HttpMethodMetadata GetAndHead = new([HttpMethods.Get, HttpMethods.Head]);

    /// <summary>
    /// /health/live: the process answers. /health/ready: events can be recorded (the spool has room and
    /// can be written; Kafka down is Degraded, still 200), with each check and the spool backlog as JSON.
    /// /metrics: Prometheus. GET and HEAD only.
    /// </summary>
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithMetadata(GetAndHead);
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Infrastructure.DependencyInjection.ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).WithMetadata(GetAndHead);
        endpoints.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(GetAndHead);
        return endpoints;
    }
}
