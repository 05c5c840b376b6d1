using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// The process's one Kafka producer, shared by the request path and the spool relay: idempotent
/// (acks=all, no duplicates from retries, order kept), lz4-compressed, flushed with a bounded wait
/// when disposed.
/// </summary>
public sealed partial class EventProducer : IDisposable
{
    private readonly IProducer<Null, string> _producer;
    private readonly KafkaOptions _options;
    private readonly ILogger<EventProducer> _logger;
    private int _disposed;

    public EventProducer(KafkaConnection connection, IOptions<KafkaOptions> options, ILogger<EventProducer> logger)
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
            // How long librdkafka keeps trying one message before reporting it failed.
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

    public string Topic => _options.Topic;

    /// <summary>True once the broker has acknowledged the value; false if it reported it not persisted.</summary>
    /// <exception cref="ProduceException{TKey, TValue}">Kafka did not take the value.</exception>
    public async Task<bool> ProduceAsync(string value)
    {
        var result = await _producer.ProduceAsync(_options.Topic, new Message<Null, string> { Value = value });
        return result.Status == PersistenceStatus.Persisted;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer: {Code} {Reason}")]
    private partial void LogProducerError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown: {Count} messages were still waiting for Kafka after the flush timeout; their events are in the spool")]
    private partial void LogUnflushed(int count);
}
