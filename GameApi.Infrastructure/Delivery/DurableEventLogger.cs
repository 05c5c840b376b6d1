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
/// durable before the request is answered; only when both fail does the request get 503.
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

    /// <remarks>
    /// The token is honoured until the event is handed on, and not after: Kafka may take a value whose
    /// wait was cancelled, so giving up then could lose an event that is half-recorded. Recording ends
    /// within <see cref="SpoolOptions.KafkaWait"/> plus one spool write either way.
    /// </remarks>
    public async Task LogAsync(GameEvent gameEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = EventJsonSerializer.Serialize(gameEvent);

        // While the spool holds events, new ones queue behind them, so Kafka gets them in order.
        var started = Stopwatch.GetTimestamp();
        if (spool.Count == 0 && await AcknowledgedAsync(value))
        {
            metrics.Acknowledged(Stopwatch.GetElapsedTime(started));
            return;
        }

        var appending = Stopwatch.GetTimestamp();
        try
        {
            await spool.AppendAsync(value);
        }
        catch (SpoolException e)
        {
            metrics.Failed();
            LogNotRecorded(gameEvent.EventId, e.Message);
            throw new EventNotRecordedException($"Event {gameEvent.EventId} was not recorded: {e.Message}", e);
        }

        metrics.Spooled(Stopwatch.GetElapsedTime(appending));
        outage.Spooled(spool.Path, spool.Count);
    }

    private async Task<bool> AcknowledgedAsync(string value)
    {
        var delivery = producer.ProduceAsync(value);
        try
        {
            return await delivery.WaitAsync(_kafkaWait);
        }
        catch (Exception e) when (e is TimeoutException or KafkaException)
        {
            // Kafka may still take it later; the spooled copy then makes a duplicate with the same
            // event_id, which the analytics count once (at least once, never lost).
            _ = delivery.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} was not recorded: Kafka did not acknowledge it and the spool refused it: {Reason}")]
    private partial void LogNotRecorded(Guid eventId, string reason);
}
