using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// At start: connects (starting the embedded broker if configured so), creates the topic when missing
/// and says where the events can be read. Taking the producer builds it now, so it
/// connects and gets its producer id before the first request instead of during it.
/// </summary>
public sealed partial class KafkaStartup(
    KafkaConnection connection,
    KafkaTopic topic,
#pragma warning disable CS9113 // Resolved for its side effect: the producer starts connecting.
    EventProducer producer,
#pragma warning restore CS9113
    ILogger<KafkaStartup> logger) : IHostedService
{
    private static readonly TimeSpan TopicTimeout = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (connection.Embedded is not null)
        {
            LogEmbedded(connection.BootstrapServers, topic.Name);
        }
        else
        {
            LogExternal(connection.BootstrapServers, topic.Name);
        }

        await topic.EnsureExistsAsync(TopicTimeout);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Embedded Kafka broker listening on {Address}. It keeps events in memory only: they are gone when the API stops. "
        + "Read topic '{Topic}' with: kcat -b {Address} -t {Topic} -C -o beginning -e")]
    private partial void LogEmbedded(string address, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording events to Kafka at {Address}, topic '{Topic}'")]
    private partial void LogExternal(string address, string topic);
}
