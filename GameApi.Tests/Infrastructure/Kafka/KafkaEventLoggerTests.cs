using Confluent.Kafka;
using GameApi.Domain.Events;
using GameApi.Infrastructure.Kafka;
using GameApi.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics;

namespace GameApi.Tests.Infrastructure.Kafka;

/// <summary>The adapter against a real Kafka-protocol broker (the embedded one, on a free port).</summary>
public class KafkaEventLoggerTests
{
    private KafkaOptions _options = null!;
    private KafkaConnection _connection = null!;
    private KafkaTopic _topic = null!;
    private KafkaEventLogger _logger = null!;

    [SetUp]
    public async Task SetUp()
    {
        _options = new KafkaOptions { EmbeddedAddress = "127.0.0.1:0", Topic = "adapter-events", DeliveryTimeout = TimeSpan.FromSeconds(2) };
        _connection = new KafkaConnection(Options.Create(_options));
        _topic = new KafkaTopic(_connection, Options.Create(_options));
        await _topic.EnsureExistsAsync(TimeSpan.FromSeconds(10));
        _logger = new KafkaEventLogger(_connection, Options.Create(_options), NullLogger<KafkaEventLogger>.Instance);
    }

    [TearDown]
    public void TearDown()
    {
        // Clients before the broker they talk to.
        _logger.Dispose();
        _topic.Dispose();
        _connection.Dispose();
    }

    private static GameEvent NewEvent() => new(
        Guid.NewGuid(), DateTimeOffset.UtcNow, "purchase_item", [new EventField("item", "knife")],
        ClientMetadata.From([KeyValuePair.Create("User-Agent", (IEnumerable<string?>)["tests"])]));

    // A first event recorded: the producer has connected and has its producer id.
    private async Task ConnectedAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _logger.LogAsync(NewEvent(), CancellationToken.None);
                return;
            }
            catch (EventNotRecordedException) when (attempt < 5)
            {
            }
        }
    }

    [Test]
    public async Task LogAsync_EventReadBackEqualsWhatWasSent()
    {
        var sent = NewEvent();

        await _logger.LogAsync(sent, CancellationToken.None);

        Assert.That(TopicReader.ReadAll(_connection.BootstrapServers, _options.Topic),
            Is.EqualTo(new[] { EventJsonSerializer.Serialize(sent) }));
    }

    [Test]
    public async Task LogAsync_TransientProduceErrors_RetriedWithoutDuplicates()
    {
        _connection.Embedded!.FailNextProduceRequests(ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);
        var sent = NewEvent();

        await _logger.LogAsync(sent, CancellationToken.None);

        Assert.That(TopicReader.ReadAll(_connection.BootstrapServers, _options.Topic),
            Is.EqualTo(new[] { EventJsonSerializer.Serialize(sent) }));
    }

    [Test]
    public async Task LogAsync_BrokerDown_FailsWithinTheBound()
    {
        await ConnectedAsync();
        _connection.Embedded!.SetDown();
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAsync<EventNotRecordedException>(() => _logger.LogAsync(NewEvent(), CancellationToken.None));
        Assert.That(clock.Elapsed, Is.LessThan(_options.DeliveryTimeout + TimeSpan.FromSeconds(1.5)));
        _connection.Embedded.SetUp();
    }
}
