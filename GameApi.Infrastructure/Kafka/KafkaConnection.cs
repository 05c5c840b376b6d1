using GameApi.Infrastructure.Embedded;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// The Kafka cluster this process talks to: the configured one, or, when none is configured, an embedded
/// broker started here and owned by this object.
/// </summary>
public sealed class KafkaConnection(IOptions<KafkaOptions> options) : IDisposable
{
    private string? _bootstrapServers;

    /// <summary>"host:port,..." of the cluster.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Start"/>.</exception>
    public string BootstrapServers =>
        _bootstrapServers ?? throw new InvalidOperationException("The Kafka connection is not started yet; KafkaStartup starts it.");

    /// <summary>The embedded broker, when this process runs one.</summary>
    public EmbeddedKafkaBroker? Embedded { get; private set; }

    /// <summary>Starts the embedded broker when no cluster is configured. Called once, at start.</summary>
    /// <exception cref="EmbeddedBrokerException">The embedded broker cannot start.</exception>
    public void Start()
    {
        if (_bootstrapServers is not null)
        {
            return;
        }

        var settings = options.Value;
        if (settings.UsesEmbeddedBroker)
        {
            Embedded = EmbeddedKafkaBroker.Start(settings.EmbeddedAddress);
            _bootstrapServers = Embedded.BootstrapServers;
        }
        else
        {
            _bootstrapServers = settings.BootstrapServers!;
        }
    }

    public void Dispose() => Embedded?.Dispose();
}
