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
    private static readonly TimeSpan ErrorWindow = TimeSpan.FromSeconds(60);
    private readonly IProducer<Null, string> _producer;
    private readonly KafkaOptions _options;
    private readonly ILogger<EventProducer> _logger;
    private readonly ErrorThrottle _errors;
    private int _disposed;

    public EventProducer(KafkaConnection connection, IOptions<KafkaOptions> options, TimeProvider time, ILogger<EventProducer> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _errors = new ErrorThrottle(time, ErrorWindow);
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
            .SetErrorHandler((_, error) => OnError(error))
            // librdkafka writes its own log to stderr by default, a line per failed connection attempt
            // during an outage; the error handler and the outage log say it once.
            .SetLogHandler((_, message) => LogLibrdkafka(message.Level, message.Facility, message.Message))
            .Build();
    }

    public string Topic => _options.Topic;

    /// <summary>The client handle, for an admin client that shares the producer's connections.</summary>
    public Handle Handle => _producer.Handle;

    /// <summary>True once the broker has acknowledged the value; false if it reported it not persisted.</summary>
    /// <exception cref="ProduceException{TKey, TValue}">Kafka did not take the value.</exception>
    public async Task<bool> ProduceAsync(string value)
    {
        var result = await _producer.ProduceAsync(_options.Topic, new Message<Null, string> { Value = value });
        return result.Status == PersistenceStatus.Persisted;
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            LogFatal(error.Code, error.Reason);
            return;
        }

        if (!_errors.ShouldLog(error.Code, out var heldBack))
        {
            return;
        }

        if (heldBack == 0)
        {
            LogProducerError(error.Code, error.Reason);
        }
        else
        {
            LogProducerErrorRepeated(error.Code, error.Reason, heldBack);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer: {Code} {Reason}")]
    private partial void LogProducerError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer: {Code} {Reason} (and {HeldBack} more like it since the last line, not logged)")]
    private partial void LogProducerErrorRepeated(ErrorCode code, string reason, int heldBack);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka producer: fatal error {Code} {Reason}. It produces nothing more: events go to the spool until the API is restarted.")]
    private partial void LogFatal(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private partial void LogLibrdkafka(SyslogLevel level, string facility, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown: {Count} messages were still waiting for Kafka after the flush timeout; their events are in the spool")]
    private partial void LogUnflushed(int count);
}
