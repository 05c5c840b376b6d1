using Confluent.Kafka;

namespace GameApi.Tests.Support;

/// <summary>Writes values to a topic with a Confluent producer, as a producer other than the API would.</summary>
internal static class TopicWriter
{
    /// <summary>Writes every value, to <paramref name="partition"/> or where the producer chooses, and waits until all are stored.</summary>
    public static void Write(string bootstrapServers, string topic, IEnumerable<string> values, int? partition = null)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrapServers }).Build();
        var failed = 0;
        var target = partition is { } p ? new TopicPartition(topic, p) : null;
        foreach (var value in values)
        {
            var message = new Message<Null, string> { Value = value };
            Action<DeliveryReport<Null, string>> delivered = r => Interlocked.Add(ref failed, r.Error.IsError ? 1 : 0);
            if (target is null)
            {
                producer.Produce(topic, message, delivered);
            }
            else
            {
                producer.Produce(target, message, delivered);
            }
        }

        Assert.That(producer.Flush(TimeSpan.FromSeconds(20)), Is.Zero, $"events not delivered to '{topic}' in time");
        Assert.That(failed, Is.Zero, $"events refused by '{topic}'");
    }
}
