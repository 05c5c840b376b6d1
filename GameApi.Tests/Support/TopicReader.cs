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

        // Every partition at once, each read up to the high watermark taken now: the embedded broker
        // serves one stored batch per partition per fetch, so one partition after another is slow.
        var remaining = new Dictionary<int, long>();
        var start = new List<TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            var tp = new TopicPartition(topic, partition);
            var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
            if (marks.High > marks.Low)
            {
                remaining[partition] = marks.High.Value - 1;
                start.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        var values = new List<string>();
        consumer.Assign(start);
        while (remaining.Count > 0 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record is null)
            {
                continue;
            }

            values.Add(record.Message.Value);
            if (remaining.TryGetValue(record.Partition.Value, out var last) && record.Offset.Value >= last)
            {
                remaining.Remove(record.Partition.Value);
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
