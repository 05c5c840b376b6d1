using Confluent.Kafka;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Hosting;

namespace GameApi.Infrastructure.Delivery;

/// <summary>
/// Sends spooled events to Kafka in the order they were spooled and removes them only once Kafka has
/// acknowledged them. Runs from start, so whatever a previous process left in the spool goes first.
/// </summary>
public sealed class SpoolRelay(EventSpool spool, EventProducer producer, EventMetrics metrics, OutageLog outage) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = await RelayBatchAsync() ? TimeSpan.Zero : spool.Count == 0 ? Idle : RetryAfterFailure;
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Relays the oldest batch; true when all of it was acknowledged and more may wait.</summary>
    public async Task<bool> RelayBatchAsync()
    {
        if (spool.Count == 0)
        {
            outage.Drained();
            return false;
        }

        var batch = await spool.ReadOldestAsync(BatchSize);
        if (batch.Count == 0)
        {
            return false;
        }

        // Sent together, acknowledged in order by the idempotent producer; only an acknowledged
        // prefix is removed, so nothing is skipped and a resend keeps the order.
        var sent = batch.Select(e => Send(e.Value)).ToArray();
        var acknowledged = 0;
        foreach (var delivery in sent)
        {
            if (!await delivery)
            {
                break;
            }

            acknowledged++;
        }

        await Task.WhenAll(sent);
        await spool.RemoveAsync(batch.Take(acknowledged).ToList());
        metrics.Relayed(acknowledged);
        outage.Relayed(acknowledged);
        return acknowledged == batch.Count;
    }

    private async Task<bool> Send(string value)
    {
        try
        {
            return await producer.ProduceAsync(value);
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
