using Confluent.Kafka;
using GameApi.Domain.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// Records events on the Kafka topic. Owns the process's one producer: idempotent (acks=all, no
/// duplicates from retries), lz4-compressed, and flushed with a bounded wait when disposed.
/// </summary>
public sealed partial class KafkaEventLogger : IEventLogger, IDisposable
{
    private readonly IProducer<Null, string> _producer;
    private readonly KafkaOptions _options;
    private readonly ILogger<KafkaEventLogger> _logger;
    private int _disposed;

    public KafkaEventLogger(KafkaConnection connection, IOptions<KafkaOptions> options, ILogger<KafkaEventLogger> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        var config = new ProducerConfig
        {
            BootstrapServers = connection.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            // lz4 keeps bursts inside the embedded broker's 5 MiB-per-partition cap and costs little.
            CompressionType = CompressionType.Lz4,
            // Every request waits for its own acknowledgement: batch briefly, not for the default 5 ms.
            LingerMs = 1,
            // librdkafka gives up on the message at the same bound the request waits for.
            MessageTimeoutMs = (int)_options.DeliveryTimeout.TotalMilliseconds,
            // After an outage, be back within a second of the broker (librdkafka's default backs off to 10 s).
            ReconnectBackoffMaxMs = 1000,
            // Requests are small and each HTTP response waits on one: no Nagle delay.
            SocketNagleDisable = true,
            // Only the status is read back; copying each value back into .NET costs throughput.
            DeliveryReportFields = "status",
        };
        _producer = new ProducerBuilder<Null, string>(config)
            .SetErrorHandler((_, error) => LogProducerError(error.Code, error.Reason))
            .Build();
    }

    public async Task LogAsync(GameEvent gameEvent, CancellationToken cancellationToken)
    {
        var message = new Message<Null, string> { Value = EventJsonSerializer.Serialize(gameEvent) };
        try
        {
            // The extra second only guards against a delivery report that never comes.
            var result = await _producer.ProduceAsync(_options.Topic, message, CancellationToken.None)
                .WaitAsync(_options.DeliveryTimeout + TimeSpan.FromSeconds(1), cancellationToken);
            if (result.Status != PersistenceStatus.Persisted)
            {
                throw new EventNotRecordedException($"Kafka reported event {gameEvent.EventId} as {result.Status}.");
            }
        }
        catch (ProduceException<Null, string> e)
        {
            LogNotRecorded(gameEvent.EventId, e.Error.Code, e.Error.Reason, e.DeliveryResult?.Status);
            throw new EventNotRecordedException($"Kafka did not record event {gameEvent.EventId}: {e.Error.Reason}", e);
        }
        catch (TimeoutException e)
        {
            LogNotRecorded(gameEvent.EventId, ErrorCode.Local_MsgTimedOut, "no delivery report", null);
            throw new EventNotRecordedException($"Kafka did not acknowledge event {gameEvent.EventId} in time.", e);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var left = _producer.Flush(_options.ShutdownFlushTimeout);
        if (left > 0)
        {
            LogUnflushed(left);
        }

        _producer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} was not recorded: {Code} {Reason} (status {Status})")]
    private partial void LogNotRecorded(Guid eventId, ErrorCode code, string reason, PersistenceStatus? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer: {Code} {Reason}")]
    private partial void LogProducerError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown: {Count} events were still waiting for Kafka after the flush timeout")]
    private partial void LogUnflushed(int count);
}
