using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GameApi.Tests.Support;

/// <summary>
/// The API in memory, on its own embedded broker on a free port. Settings and service replacements
/// (say, a Moq <c>IEventLogger</c>) are given per fixture.
/// </summary>
internal sealed class GameApiFactory(
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    // Empty values override a developer's environment (Kafka__BootstrapServers, Idempotency__Redis), which
    // would otherwise send the tests' events to that Kafka and their keys to that Redis.
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Kafka:BootstrapServers"] = "",
        ["Idempotency:Redis"] = "",
        ["Kafka:EmbeddedAddress"] = "127.0.0.1:0",
        ["Kafka:DeliveryTimeout"] = "00:00:02",
        ["Kafka:ShutdownFlushTimeout"] = "00:00:02",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>This instance's own spool file, deleted when the factory is disposed.</summary>
    public string SpoolPath { get; } = Path.Combine(Path.GetTempPath(), $"gameapi-spool-{Guid.NewGuid():N}", "events.db");

    // This instance's own idempotency keys, beside the spool (deleted with it).
    private string KeysPath => Path.Combine(Path.GetDirectoryName(SpoolPath)!, "keys.db");

    public KafkaConnection Kafka => Services.GetRequiredService<KafkaConnection>();

    public EventSpool Spool => Services.GetRequiredService<EventSpool>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var merged = new Dictionary<string, string?>(Defaults) { ["Spool:Path"] = SpoolPath, ["Idempotency:Path"] = KeysPath };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(merged));
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        var folder = Path.GetDirectoryName(SpoolPath)!;
        if (disposing && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
