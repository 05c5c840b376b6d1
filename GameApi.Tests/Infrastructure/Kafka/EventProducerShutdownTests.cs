using GameApi.Infrastructure.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace GameApi.Tests.Infrastructure.Kafka;

public class EventProducerShutdownTests
{
    // The warning said "their events are in the spool" of every message left: those of requests cut off
    // unanswered are not, and the producer cannot tell which are which.
    [Test]
    public void Dispose_MessagesLeftAfterTheFlush_WarningSaysOnlyWhatIsSure()
    {
        var kafka = new KafkaOptions { EmbeddedAddress = "127.0.0.1:0", Topic = "left", DeliveryTimeout = TimeSpan.FromSeconds(10), ShutdownFlushTimeout = TimeSpan.Zero };
        using var connection = new KafkaConnection(Options.Create(kafka));
        connection.Start();
        connection.Embedded!.CreateTopic("left", 1);
        var logger = new FakeLogger<EventProducer>();
        var producer = new EventProducer(connection, Options.Create(kafka), TimeProvider.System, logger);
        producer.Start();
        connection.Embedded.SetDown();
        _ = producer.ProduceAsync("{}");

        producer.Dispose();

        var warning = logger.Collector.GetSnapshot().Single(r => r.Level == LogLevel.Warning && r.Message.StartsWith("Shutdown:", StringComparison.Ordinal));
        Assert.That(warning.Message, Does.Not.Contain("their events are in the spool"));
        Assert.That(warning.Message, Does.Contain("Every event whose request was answered 2xx or 4xx is on Kafka or in the spool"));
    }
}
