using Confluent.Kafka;
using GameApi.Domain.Events;
using GameApi.Infrastructure.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Spool;

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

    public async Task LogAsync(GameEvent gameEvent, CancellationToken cancellationToken)
    {
        var value = EventJsonSerializer.Serialize(gameEvent);

        // While the spool holds events, new ones queue behind them, so Kafka gets them in order.
        if (spool.Count == 0 && await AcknowledgedAsync(value))
        {
            metrics.Acknowledged();
            return;
        }

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

        metrics.Spooled();
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
