using GameApi.Infrastructure.Embedded;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// The Kafka cluster this process talks to: the configured one, or, when none is configured, an embedded
/// broker started here and owned by this object.
/// </summary>
public sealed class KafkaConnection : IDisposable
{
    public KafkaConnection(IOptions<KafkaOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        if (settings.UsesEmbeddedBroker)
        {
            Embedded = EmbeddedKafkaBroker.Start(settings.EmbeddedAddress);
            BootstrapServers = Embedded.BootstrapServers;
        }
        else
        {
            BootstrapServers = settings.BootstrapServers!;
        }
    }

    public string BootstrapServers { get; }

    /// <summary>The embedded broker, when this process runs one.</summary>
    public EmbeddedKafkaBroker? Embedded { get; }

    public void Dispose() => Embedded?.Dispose();
}
