using Confluent.Kafka;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Support;

/// <summary>Reads a whole topic back with a Confluent consumer, as a data person would.</summary>
internal static class TopicReader
{
    public static List<string> ReadAll(string bootstrapServers, string topic, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "gameapi-tests",
            EnableAutoCommit = false,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => p.PartitionId);

        var values = new List<string>();
        foreach (var partition in partitions)
        {
            var tp = new TopicPartition(topic, partition);
            var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
            if (marks.High <= marks.Low)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(tp, marks.Low));
            while (DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (record is null)
                {
                    continue;
                }

                values.Add(record.Message.Value);
                if (record.Offset.Value >= marks.High.Value - 1)
                {
                    break;
                }
            }
        }

        return values;
    }

    /// <summary>The topic's values as JSON objects, strings kept as written (no date parsing).</summary>
    public static List<JObject> ReadEvents(string bootstrapServers, string topic = "events") =>
        ReadAll(bootstrapServers, topic)
            .Select(v => JsonConvert.DeserializeObject<JObject>(v, new JsonSerializerSettings { DateParseHandling = DateParseHandling.None })!)
            .ToList();
}
