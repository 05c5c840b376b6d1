using Confluent.Kafka;
using GameApi.Librdkafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// At start, in this order: loads the librdkafka this application ships, connects (starting the embedded
/// broker if configured so), says where the events can be read, creates the topic when missing, then
/// builds the producer, so that it connects, gets its producer id and learns the topic's partitions
/// before the first request instead of during it.
/// </summary>
/// <remarks>
/// A cluster that does not answer at start does not stop the API: events go to the spool as in any
/// outage, and the topic is checked again in the background until Kafka answers.
/// </remarks>
public sealed partial class KafkaStartup(
    KafkaConnection connection,
    KafkaTopic topic,
    EventProducer producer,
    IOptions<KafkaOptions> options,
    ILogger<KafkaStartup> logger) : IHostedService, IDisposable
{
    // Short, because stopping waits for an attempt in progress: the admin client must not be disposed
    // under a call.
    private static readonly TimeSpan RetryTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private Task _retrying = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var librdkafka = ShippedLibrdkafka.Load();
        LogLibrdkafka(librdkafka.Version, librdkafka.Path);

        connection.Start();
        if (connection.Embedded is not null)
        {
            var partitions = options.Value.TopicPartitions;
            LogEmbedded(connection.BootstrapServers, topic.Name, partitions,
                partitions * KafkaOptions.EmbeddedBytesPerPartition / (1024 * 1024), partitions * KafkaOptions.EmbeddedEventsPerPartition);
        }
        else
        {
            LogExternal(connection.BootstrapServers, topic.Name);
        }

        try
        {
            // A stop (SIGTERM, Ctrl+C) meanwhile ends the wait, and the start, at once.
            await topic.EnsureExistsAsync(options.Value.StartTimeout, cancellationToken);
        }
        catch (KafkaException e)
        {
            LogTopicUnknown(topic.Name, connection.BootstrapServers, e.Error.Reason, RetryInterval);
            _retrying = RetryAsync(_stopping.Token);
        }

        // After the topic exists, so that the producer's first metadata already has its partitions.
        producer.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may stop again after disposing its services (WebApplicationFactory does): cancel once.
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }

        await _retrying.WaitAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RetryAsync(CancellationToken stopping)
    {
        for (var attempt = 2; ; attempt++)
        {
            try
            {
                await Task.Delay(RetryInterval, stopping);
                await topic.EnsureExistsAsync(RetryTimeout, stopping);
                LogTopicReady(topic.Name, attempt);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaException e)
            {
                LogTopicStillUnknown(topic.Name, attempt, e.Error.Reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "librdkafka {Version} loaded from {Path}")]
    private partial void LogLibrdkafka(string version, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Embedded Kafka broker listening on {Address}. It keeps events in memory only: they are gone when the API stops. "
        + "Topic '{Topic}' has {Partitions} partitions of at most 5 MiB each: {Megabytes} MiB, at least {Events:N0} events of the usual size; "
        + "past that the broker drops the oldest and the API warns. Read it with: kcat -b {Address} -t {Topic} -C -o beginning -e")]
    private partial void LogEmbedded(string address, string topic, int partitions, long megabytes, int events);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording events to Kafka at {Address}, topic '{Topic}'")]
    private partial void LogExternal(string address, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Could not check or create topic '{Topic}' at {Address}: {Reason}. The API runs on and events go to the spool "
        + "until Kafka takes them; trying again every {Interval}.")]
    private partial void LogTopicUnknown(string topic, string address, string reason, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Topic '{Topic}', attempt {Attempt}: {Reason}")]
    private partial void LogTopicStillUnknown(string topic, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic '{Topic}' is ready (attempt {Attempt}).")]
    private partial void LogTopicReady(string topic, int attempt);
}
