using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace GameApi.Analytics.Events;

/// <summary>
/// Events from every partition of a Kafka topic, from the low watermark to the high watermark taken
/// at start: a snapshot, like Spark's <c>endingOffsets=latest</c>.
/// </summary>
public sealed class KafkaSource(string bootstrapServers, string topic, TimeSpan timeout)
{
    /// <summary>Reads the topic into <paramref name="scratch"/>/events.jsonl. <paramref name="progress"/> gets events read.</summary>
    public EventSnapshot Read(string scratch, IProgress<long>? progress = null, Action<string>? notice = null)
    {
        var path = Path.Combine(scratch, "events.jsonl");
        var scanner = new SchemaScanner();
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);

        var ranges = Snapshot(notice);
        if (ranges.Count > 0)
        {
            Consume(ranges, scanner, output, progress);
        }

        return new EventSnapshot(path, scanner.ToSchema(), scanner.Skipped, HasKafkaMetadata: true);
    }

    private List<(TopicPartition Partition, long Low, long High)> Snapshot(Action<string>? notice)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = bootstrapServers,
            SocketTimeoutMs = (int)timeout.TotalMilliseconds,
        }).Build();
        Metadata metadata;
        try
        {
            // All topics, not just ours: asking for one by name can make a broker auto-create it.
            metadata = admin.GetMetadata(timeout);
        }
        catch (KafkaException e)
        {
            throw new SourceException($"Cannot reach Kafka at {bootstrapServers} within {timeout.TotalSeconds:0.#} s: {e.Error.Reason}", e);
        }

        var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic && !t.Error.IsError);
        if (found is null)
        {
            notice?.Invoke($"Topic '{topic}' does not exist at {bootstrapServers}: no events.");
            return [];
        }

        using var consumer = NewConsumer();
        var ranges = new List<(TopicPartition, long, long)>();
        foreach (var partition in found.Partitions.OrderBy(p => p.PartitionId))
        {
            var tp = new TopicPartition(topic, partition.PartitionId);
            var marks = consumer.QueryWatermarkOffsets(tp, timeout);
            if (marks.High.Value > marks.Low.Value)
            {
                ranges.Add((tp, marks.Low.Value, marks.High.Value));
            }
        }

        if (ranges.Count == 0)
        {
            notice?.Invoke($"Topic '{topic}' at {bootstrapServers} is empty: no events.");
        }

        return ranges;
    }

    private void Consume(List<(TopicPartition Partition, long Low, long High)> ranges, SchemaScanner scanner, Stream output, IProgress<long>? progress)
    {
        using var consumer = NewConsumer();
        consumer.Assign(ranges.Select(r => new TopicPartitionOffset(r.Partition, r.Low)));
        var ends = ranges.ToDictionary(r => r.Partition.Partition.Value, r => r.High);
        var read = 0L;
        var idle = DateTime.UtcNow;
        while (ends.Count > 0)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (record is null)
            {
                if (DateTime.UtcNow - idle > timeout)
                {
                    throw new SourceException($"Kafka at {bootstrapServers} stopped sending records of '{topic}' (partitions {string.Join(", ", ends.Keys)} unfinished).");
                }

                continue;
            }

            idle = DateTime.UtcNow;
            var partition = record.Partition.Value;
            if (record.IsPartitionEOF || !ends.TryGetValue(partition, out var high))
            {
                ends.Remove(partition);
                continue;
            }

            if (record.Offset.Value < high)
            {
                Write(record, scanner, output);
                if (++read % 10_000 == 0)
                {
                    progress?.Report(read);
                }
            }

            if (record.Offset.Value >= high - 1)
            {
                ends.Remove(partition);
            }
        }

        progress?.Report(read);
    }

    private static void Write(ConsumeResult<Ignore, byte[]> record, SchemaScanner scanner, Stream output)
    {
        var value = record.Message.Value;
        if (value is null || !scanner.Add(value))
        {
            return;
        }

        // A valid object: '{', then either '}' or its first member. Put the record's metadata first.
        var body = value.AsSpan(value.AsSpan().IndexOf((byte)'{') + 1);
        var timestamp = record.Message.Timestamp.Type == TimestampType.NotAvailable
            ? "null"
            : "\"" + record.Message.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "\"";
        var meta = string.Create(CultureInfo.InvariantCulture,
            $"{{\"{EventSnapshot.MetadataKeys[0].Key}\":{record.Partition.Value},\"{EventSnapshot.MetadataKeys[1].Key}\":{record.Offset.Value},\"{EventSnapshot.MetadataKeys[2].Key}\":{timestamp}");
        output.Write(Encoding.UTF8.GetBytes(meta));
        if (body.TrimStart(" \t\r\n"u8)[0] != (byte)'}')
        {
            output.WriteByte((byte)',');
        }

        // Line breaks in valid JSON are whitespace between tokens: one line per event needs none.
        if (body.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            var oneLine = body.ToArray();
            oneLine.AsSpan().Replace((byte)'\n', (byte)' ');
            oneLine.AsSpan().Replace((byte)'\r', (byte)' ');
            body = oneLine;
        }

        output.Write(body);

        output.WriteByte((byte)'\n');
    }

    private IConsumer<Ignore, byte[]> NewConsumer() => new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrapServers,
        GroupId = "gameapi-analytics", // required by librdkafka even for Assign; nothing is committed
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = true,
        SocketTimeoutMs = (int)timeout.TotalMilliseconds,
    }).Build();
}
