using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Settings;

/// <summary>
/// Warns at start of each key under Kafka, Spool or Idempotency that no setting binds (a typo the binder
/// would silently ignore), naming the key probably meant.
/// </summary>
public sealed partial class UnknownSettingsWarning(IConfiguration configuration, ILogger<UnknownSettingsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, meant) in SettingsCheck.UnknownKeys(configuration))
        {
            if (meant is null)
            {
                LogUnknown(key);
            }
            else
            {
                LogMisspelt(key, meant);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The setting {Key} is unknown and ignored; did you mean {Meant}?")]
    private partial void LogMisspelt(string key, string meant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The setting {Key} is unknown and ignored (README.md, Configuration, lists the settings).")]
    private partial void LogUnknown(string key);
}
