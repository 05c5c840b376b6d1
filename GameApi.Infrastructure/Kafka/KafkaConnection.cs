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

    /// <summary>
    /// The address this process's own clients bootstrap at: the embedded broker's own port rather than
    /// its forwarder. Bootstrapped through the forwarder, a client drops that connection once metadata
    /// names the broker's port, and the idempotent producer then waits for librdkafka's 500 ms retry
    /// timer before it asks for its producer id (src/rdkafka_idempotence.c,
    /// rd_kafka_idemp_pid_timer_restart): the first requests after start would go to the spool.
    /// </summary>
    public string ClientBootstrapServers => Embedded?.BrokerAddress ?? BootstrapServers;

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
