using GameApi.Infrastructure.Delivery;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Options;

namespace GameApi.Web;

/// <summary>
/// The host's shutdown timeout: how long a stop waits for requests in progress before Kestrel closes
/// their connections. It is what the settings let a request take (<see cref="DurableEventLogger.LongestWait"/>)
/// plus <see cref="Margin"/>. ASP.NET's fixed 30 s cut requests off unanswered under a Kafka:DeliveryTimeout
/// over about 25 s, and let one client that never finishes its request hold every stop for 30 s.
/// The producer's flush (Kafka:ShutdownFlushTimeout) comes after it, when the services are disposed.
/// </summary>
internal sealed class ShutdownTimeout(IOptions<KafkaOptions> kafka, IOptions<SpoolOptions> spool) : IConfigureOptions<HostOptions>
{
    /// <summary>A spool write (synced to disk) and sending the answer, after the longest wait for Kafka.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    public void Configure(HostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.ShutdownTimeout = DurableEventLogger.LongestWait(kafka.Value, spool.Value) + Margin;
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            // The host reads its options while it is built, before SettingsCheck: bad settings (refused, or
            // not a duration) are reported by it, all at once, and the API does not start.
        }
    }
}
