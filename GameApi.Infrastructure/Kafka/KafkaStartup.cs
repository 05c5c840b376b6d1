using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// At start: connects (starting the embedded broker if configured so), creates the topic when missing
/// and says where the events can be read.
/// </summary>
public sealed partial class KafkaStartup(KafkaConnection connection, KafkaTopic topic, ILogger<KafkaStartup> logger) : IHostedService
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
