using System.Diagnostics;
using Confluent.Kafka;
using GameApi.Domain.Events;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Delivery;

/// <summary>
/// Records an event on Kafka when Kafka acknowledges it within <see cref="SpoolOptions.KafkaWait"/>,
/// else in the durable spool, from which <see cref="SpoolRelay"/> sends it on. Either way the event is
/// durable before the request is answered. When the spool refuses it (full, a full disk, damaged),
/// Kafka's answer decides, waited for as long as Kafka may take to give it: only when both fail does
/// the request get 503, and then Kafka has not recorded the event.
/// </summary>
public sealed partial class DurableEventLogger(
    EventProducer producer,
    EventSpool spool,
    EventMetrics metrics,
    OutageLog outage,
    IOptions<SpoolOptions> options,
    ILogger<DurableEventLogger> logger) : IEventLogger
{
    private readonly TimeSpan _kafkaWait = options.Value.KafkaWait;

    /// <summary>
    /// The longest <see cref="LogAsync"/> waits for Kafka: <see cref="SpoolOptions.KafkaWait"/>, then, when
    /// the spool refuses the event, <see cref="KafkaOptions.DeliveryBound"/> more. A spool write comes on top.
    /// </summary>
    public static TimeSpan LongestWait(KafkaOptions kafka, SpoolOptions spool)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(spool);
        return spool.KafkaWait + kafka.DeliveryBound;
    }

    /// <remarks>
    /// The token is honoured until the event is handed on, and not after: Kafka may take a value whose
    /// wait was cancelled, so giving up then could lose an event that is half-recorded. Recording ends
    /// within <see cref="SpoolOptions.KafkaWait"/> plus one spool write, or, when the spool refuses the
    /// event, within Kafka:DeliveryTimeout.
    /// </remarks>
    public async Task LogAsync(GameEvent gameEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = EventJsonSerializer.Serialize(gameEvent);

        // While the spool holds events, new ones queue behind them, so Kafka gets them in order.
        var started = Stopwatch.GetTimestamp();
        Task<bool>? delivery = null;
        if (spool.Count == 0)
        {
            delivery = producer.ProduceAsync(value);
            if (await WithinAsync(delivery, _kafkaWait))
            {
                metrics.Acknowledged(Stopwatch.GetElapsedTime(started));
                return;
            }
        }

        var appending = Stopwatch.GetTimestamp();
        try
        {
            await spool.AppendAsync(value);
        }
        catch (SpoolException e)
        {
            // Kafka may still take it (an answer later than KafkaWait), and a spool that cannot take events
            // (a full disk while relayed ones cannot be deleted) must not stop the API while Kafka answers:
            // this event skips the queue rather than being refused.
            delivery ??= producer.ProduceAsync(value);
            if (await WithinAsync(delivery, producer.DeliveryBound))
            {
                metrics.Acknowledged(Stopwatch.GetElapsedTime(started));
                return;
            }

            metrics.Failed();
            LogNotRecorded(gameEvent.EventId, e.Message);
            throw new EventNotRecordedException($"Event {gameEvent.EventId} was not recorded: {e.Message}", e);
        }

        metrics.Spooled(Stopwatch.GetElapsedTime(appending));
        outage.Spooled(spool.Path, spool.Count);
    }

    // True when Kafka acknowledged the value within the wait; false when it did not (yet) or refused it.
    private static async Task<bool> WithinAsync(Task<bool> delivery, TimeSpan wait)
    {
        try
        {
            return await delivery.WaitAsync(wait);
        }
        catch (Exception e) when (e is TimeoutException or KafkaException)
        {
            // Kafka may still take it later; a spooled copy then makes a duplicate with the same event_id,
            // which the analytics count once (at least once, never lost).
            _ = delivery.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} was not recorded: the spool refused it and Kafka did not acknowledge it within Kafka:DeliveryTimeout: {Reason}")]
    private partial void LogNotRecorded(Guid eventId, string reason);
}
