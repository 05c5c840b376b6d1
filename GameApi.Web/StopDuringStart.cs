namespace GameApi.Web;

/// <summary>
/// A stop (SIGTERM, Ctrl+C) while the API starts, say while it waits for Kafka (Kafka:StartTimeout): the
/// host cancels the start and reports it as a failure, "Hosting failed to start" with the cancellation's
/// stack trace. It is a stop, not a failure: one line says so, and the exit is a stop's, 0.
/// </summary>
internal static partial class StopDuringStart
{
    // Microsoft.Extensions.Hosting.Internal.Host, internal: its report of a start that failed.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>True once a stop came before the host had started.</summary>
    public static bool Happened(IHostApplicationLifetime? lifetime) =>
        lifetime is { ApplicationStopping.IsCancellationRequested: true, ApplicationStarted.IsCancellationRequested: false };

    /// <summary>
    /// Leaves out the host's report of a start cancelled by a stop. The host's other lines are Debug ones
    /// ("Hosting starting"), left out as by default; a real failure meanwhile is still printed by Program.
    /// </summary>
    public static void HideHostReport(ILoggingBuilder logging, Func<IHostApplicationLifetime?> lifetime) =>
        logging.AddFilter(HostCategory, level => level >= LogLevel.Information && !(level >= LogLevel.Error && Happened(lifetime())));

    /// <summary>Logs the one line when a stop comes before the host has started.</summary>
    public static void Announce(IHostApplicationLifetime lifetime, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStopping.Register(() =>
        {
            if (Happened(lifetime))
            {
                LogStopped(logger);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped during start-up: the API did not listen and recorded no event.")]
    private static partial void LogStopped(ILogger logger);
}
