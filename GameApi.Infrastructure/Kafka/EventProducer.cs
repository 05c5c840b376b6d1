using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// The process's one Kafka producer, shared by the request path and the spool relay: idempotent
/// (acks=all, no duplicates from retries, order kept), lz4-compressed, flushed with a bounded wait
/// when disposed. After a fatal error it builds a new producer in place, without a restart.
/// </summary>
/// <remarks>
/// An idempotent producer that hits a fatal error (librdkafka INTRODUCTION.md, "Fatal errors") fails every
/// message it holds and produces nothing more. Those messages' requests spool their events, as in any
/// outage; the relay sends them through the new producer.
/// </remarks>
public sealed partial class EventProducer(
    KafkaConnection connection,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<EventProducer> logger) : IDisposable
{
    private static readonly TimeSpan ErrorWindow = TimeSpan.FromSeconds(60);
    private readonly KafkaOptions _options = options.Value;
    private readonly ErrorThrottle _errors = new(time, ErrorWindow);
    private readonly Lock _gate = new();
    private volatile IProducer<Null, string>? _producer;
    private volatile bool _recovering;
    private int _disposed;

    public string Topic => _options.Topic;

    /// <summary>How long after <see cref="ProduceAsync"/> its answer comes, or never will (<see cref="KafkaOptions.DeliveryBound"/>).</summary>
    public TimeSpan DeliveryBound => _options.DeliveryBound;

    /// <summary>
    /// True from a fatal error until the producer built after it has delivered an event: events go to
    /// the spool meanwhile, and readiness says so.
    /// </summary>
    public bool Recovering => _recovering;

    /// <summary>The current producer's client handle: another one after a fatal error.</summary>
    public Handle Handle => Current().Handle;

    /// <summary>Builds the producer, which starts connecting and fetches its producer id. Called once, at start, once the topic exists.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _producer ??= Build();
        }
    }

    /// <summary>True once the broker has acknowledged the value; false if it reported it not persisted.</summary>
    /// <exception cref="ProduceException{TKey, TValue}">Kafka did not take the value.</exception>
    /// <exception cref="InvalidOperationException">Before <see cref="Start"/>.</exception>
    public async Task<bool> ProduceAsync(string value)
    {
        var message = new Message<Null, string> { Value = value };
        var producer = Current();
        DeliveryResult<Null, string> result;
        try
        {
            result = await producer.ProduceAsync(_options.Topic, message);
        }
        catch (ObjectDisposedException) when (_disposed == 0 && !ReferenceEquals(producer, _producer))
        {
            // Replaced after a fatal error between taking it and producing on it: the new one takes the value.
            producer = Current();
            result = await producer.ProduceAsync(_options.Topic, message);
        }

        if (_recovering && result.Status == PersistenceStatus.Persisted && ReferenceEquals(producer, _producer))
        {
            _recovering = false;
            LogRecovered();
        }

        return result.Status == PersistenceStatus.Persisted;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        IProducer<Null, string>? producer;
        lock (_gate)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is null)
        {
            return;
        }

        var left = producer.Flush(_options.ShutdownFlushTimeout);
        if (left > 0)
        {
            LogUnflushed(left);
        }

        producer.Dispose();
    }

    private IProducer<Null, string> Current() =>
        _producer ?? throw new InvalidOperationException("The Kafka producer is not started yet; KafkaStartup starts it.");

    private IProducer<Null, string> Build()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = connection.ClientBootstrapServers,
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
        return new ProducerBuilder<Null, string>(config)
            .SetErrorHandler(OnError)
            // librdkafka writes its own log to stderr by default, a line per failed connection attempt
            // during an outage; the error handler and the outage log say it once.
            .SetLogHandler((_, message) => LogLibrdkafka(message.Level, message.Facility, message.Message))
            .Build();
    }

    private void OnError(IProducer<Null, string> sender, Error error)
    {
        if (error.IsFatal)
        {
            // On librdkafka's polling thread, which disposing the producer would wait for: rebuild elsewhere.
            _ = Task.Run(() => Replace(sender, error));
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

    private void Replace(IProducer<Null, string> failed, Error error)
    {
        lock (_gate)
        {
            // A fatal producer reports once; a stale report (or one during shutdown) changes nothing.
            if (_disposed != 0 || !ReferenceEquals(failed, _producer))
            {
                return;
            }

            _recovering = true;
            LogFatal(error.Code, error.Reason);
            _producer = Build();
        }

        // Messages still in flight on it never report once it is disposed (Confluent.Kafka offers no purge):
        // requests stop waiting after Spool:KafkaWait and spool their events, the relay after its bound.
        failed.Flush(TimeSpan.Zero);
        failed.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer: {Code} {Reason}")]
    private partial void LogProducerError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer: {Code} {Reason} (and {HeldBack} more like it since the last line, not logged)")]
    private partial void LogProducerErrorRepeated(ErrorCode code, string reason, int heldBack);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka producer: fatal error {Code} {Reason}. A new producer replaces it; events go to the spool until it delivers.")]
    private partial void LogFatal(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka producer: the producer built after the fatal error delivers; events go to Kafka again.")]
    private partial void LogRecovered();

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private partial void LogLibrdkafka(SyslogLevel level, string facility, string message);

    // The count is librdkafka's queue: events already spooled (by their request or the relay), and any whose
    // request was cut off unanswered. Which are which is not known here; only the answered ones are sure.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown: {Count} messages were still waiting for Kafka after Kafka:ShutdownFlushTimeout; Kafka may or may not have them. Every event whose request was answered 2xx or 4xx is on Kafka or in the spool, which the next start relays")]
    private partial void LogUnflushed(int count);
}
