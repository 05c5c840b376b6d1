using GameApi.Infrastructure.Delivery;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Support;

/// <summary>The durable logger's parts, wired by hand around an embedded broker on a free port.</summary>
internal sealed class SpoolFixture : IDisposable
{
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"gameapi-spool-{Guid.NewGuid():N}");

    public SpoolFixture(string topic = "spool-events", long maxBytes = 1 << 20, string? spoolPath = null, int kafkaWaitMs = 300, int deliveryTimeoutSeconds = 2)
    {
        Kafka = new KafkaOptions { EmbeddedAddress = "127.0.0.1:0", Topic = topic, DeliveryTimeout = TimeSpan.FromSeconds(deliveryTimeoutSeconds), ShutdownFlushTimeout = TimeSpan.FromSeconds(2) };
        Options = new SpoolOptions { KafkaWait = TimeSpan.FromMilliseconds(kafkaWaitMs), MaxBytes = maxBytes };
        Connection = new KafkaConnection(Microsoft.Extensions.Options.Options.Create(Kafka));
        Connection.Start();
        Connection.Embedded!.CreateTopic(topic, 1);
        Producer = new EventProducer(Connection, Microsoft.Extensions.Options.Options.Create(Kafka), TimeProvider.System, NullLogger<EventProducer>.Instance);
        Producer.Start();
        Spool = new EventSpool(spoolPath ?? Path.Combine(_folder, "events.db"), maxBytes);
        Outage = new OutageLog(new FakeTimeProvider(), NullLogger<OutageLog>.Instance);
        Metrics = new EventMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Spool, Outage);
        Logger = new DurableEventLogger(Producer, Spool, Metrics, Outage, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<DurableEventLogger>.Instance);
        Relay = new SpoolRelay(Spool, Producer, Metrics, Outage, NullLogger<SpoolRelay>.Instance);
    }

    public KafkaOptions Kafka { get; }

    public SpoolOptions Options { get; }

    public KafkaConnection Connection { get; }

    public EventProducer Producer { get; }

    public EventSpool Spool { get; }

    public EventMetrics Metrics { get; }

    public OutageLog Outage { get; }

    public DurableEventLogger Logger { get; }

    public SpoolRelay Relay { get; }

    public List<string> Topic() => TopicReader.ReadAll(Connection.BootstrapServers, Kafka.Topic);

    /// <summary>Relays until the spool is empty, for at most <paramref name="limit"/>.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Spool.Count > 0 && DateTime.UtcNow < deadline)
        {
            if (!await Relay.RelayBatchAsync())
            {
                await Task.Delay(100);
            }
        }
    }

    public void Dispose()
    {
        // Clients before the broker they talk to.
        Relay.Dispose();
        Producer.Dispose();
        Spool.Dispose();
        Metrics.Dispose();
        Connection.Dispose();
        _meters.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
