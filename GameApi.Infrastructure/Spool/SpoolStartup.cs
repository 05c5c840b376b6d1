using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Spool;

/// <summary>
/// Says at start when the spool cannot be opened (<see cref="SpoolOptions.Path"/> a folder, or not writable).
/// The API runs on without it, and while Kafka acknowledges in time nothing else would show it until the
/// first slow acknowledgement turns into a 503; readiness alone says so, and only when asked.
/// </summary>
public sealed partial class SpoolStartup(EventSpool spool, ILogger<SpoolStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (spool.Error is { } error)
        {
            LogUnavailable(error);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason} Check Spool:Path. Until it can be opened, readiness fails and an event "
        + "Kafka does not acknowledge within Kafka:DeliveryTimeout is refused (503); restart once it can")]
    private partial void LogUnavailable(string reason);
}
