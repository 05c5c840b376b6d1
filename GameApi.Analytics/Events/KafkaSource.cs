using System.Buffers.Text;
using System.IO.Hashing;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using GameApi.Librdkafka;

namespace GameApi.Analytics.Events;

/// <summary>A partition's offsets when the run started: the first still on the topic, and the next to be written.</summary>
public sealed record PartitionOffsets(int Partition, long Low, long High);

/// <summary>The last record read of a partition: its offset and a hash of its value and timestamp.</summary>
public sealed record LastRecord(long Offset, ulong Hash);

/// <summary>
/// What to read of one partition: from <paramref name="From"/> to <paramref name="High"/>; records at or after
/// <paramref name="New"/> are events to add. <paramref name="Expect"/>, when set, is the record that must be
/// at <paramref name="From"/> (the last one read before): another means the topic is not the one read then.
/// </summary>
public sealed record PartitionRead(int Partition, long From, long New, long High, LastRecord? Expect);

/// <summary>
/// What a read found: false <paramref name="Matched"/> when a partition's first record was not the expected
/// one, or a partition went back to offsets before those already read (then nothing more was read); the
/// last record read of each partition.
/// </summary>
public sealed record PartitionsRead(bool Matched, IReadOnlyDictionary<int, LastRecord> Last)
{
    /// <summary>A read that stopped because a partition is not the one read before.</summary>
    public static PartitionsRead Mismatch { get; } = new(false, new Dictionary<int, LastRecord>());
}

/// <summary>
/// Events from every partition of a Kafka topic, from the low watermark to the high watermark (the last
/// stable offset while a transaction is open) taken at start: a snapshot, like Spark's
/// <c>endingOffsets=latest</c>. One consumer for the whole run.
/// </summary>
public sealed class KafkaSource(string bootstrapServers, string topic, TimeSpan timeout) : IDisposable
{
    private IConsumer<Ignore, byte[]>? _consumer;

    public string BootstrapServers => bootstrapServers;

    public string Topic => topic;

    /// <summary>Reads the whole topic into <paramref name="scratch"/>/events.jsonl. <paramref name="progress"/> gets events read.</summary>
    public EventSnapshot Read(string scratch, IProgress<long>? progress = null, Action<string>? notice = null)
    {
        var path = Path.Combine(scratch, "events.jsonl");
        var scanner = new SchemaScanner();
        using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var partitions = Partitions(notice) ?? [];
            var read = ReadPartitions(partitions.Select(p => new PartitionRead(p.Partition, p.Low, p.Low, p.High, null)).ToList(), scanner, output, progress, notice);
            if (!read.Matched)
            {
                throw new SourceException($"Topic '{topic}' at {bootstrapServers} changed while it was being read (recreated or truncated); run again.");
            }
        }

        return new EventSnapshot([path], scanner.ToSchema(), scanner.Skipped, scanner.Duplicates, HasKafkaMetadata: true);
    }

    /// <summary>Every partition's offsets now, in partition order; null when the topic does not exist (with a notice).</summary>
    public IReadOnlyList<PartitionOffsets>? Partitions(Action<string>? notice)
    {
        // Through the consumer's own connections, which the fetches then reuse.
        using var admin = new DependentAdminClientBuilder(Consumer().Handle).Build();
        try
        {
            var found = Metadata(admin);
            if (found is null)
            {
                notice?.Invoke($"Topic '{topic}' does not exist at {bootstrapServers}: no events.");
                return null;
            }

            var partitions = found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
            var low = Offsets(admin, partitions, OffsetSpec.Earliest());
            var high = Offsets(admin, partitions, OffsetSpec.Latest());
            var offsets = partitions.Select(p => new PartitionOffsets(p.Partition.Value, low[p.Partition.Value], high[p.Partition.Value])).ToList();
            // Retention (or the embedded broker's 5 MiB per partition) dropped the oldest events: the counts
            // cover only what is left, and must not pass for the whole history. One line, however many
            // partitions (the embedded broker's 80 under load).
            var trimmed = offsets.Where(p => p.Low > 0).ToList();
            if (trimmed.Count == 1)
            {
                notice?.Invoke($"partition {trimmed[0].Partition} starts at offset {trimmed[0].Low}: earlier events are no longer on the topic");
            }
            else if (trimmed.Count > 1)
            {
                notice?.Invoke($"partitions {string.Join(", ", trimmed.Select(p => p.Partition))} no longer start at offset 0: "
                    + $"{trimmed.Sum(p => p.Low):N0} earlier events are no longer on the topic");
            }

            if (offsets.All(p => p.High <= p.Low))
            {
                notice?.Invoke($"Topic '{topic}' at {bootstrapServers} is empty: no events.");
            }

            return offsets;
        }
        catch (KafkaException e)
        {
            throw new SourceException($"Cannot reach Kafka at {bootstrapServers} within {timeout.TotalSeconds:0.#} s: {e.Error.Reason}", e);
        }
    }

    // The topic's metadata; null when it does not exist. An error on the topic or a partition (no leader
    // during an election or a restart) is waited out for the timeout: read as "no such topic" it would
    // answer 0 events and make the cache throw away what it holds.
    private TopicMetadata? Metadata(IAdminClient admin)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            // All topics, not just ours: asking for one by name can make a broker auto-create it.
            var found = admin.GetMetadata(timeout).Topics.FirstOrDefault(t => t.Topic == topic);
            if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                return null;
            }

            var error = found.Error.IsError ? found.Error : found.Partitions.Select(p => p.Error).FirstOrDefault(e => e.IsError);
            if (error is null)
            {
                return found;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new SourceException($"Topic '{topic}' at {bootstrapServers} stayed unavailable for {timeout.TotalSeconds:0.#} s: {error.Reason} ({error.Code}).");
            }

            Thread.Sleep(200);
        }
    }

    // One request for every partition of the topic. Read committed, as the consumer reads (librdkafka's
    // default isolation.level): while a transaction is open, the end its fetches reach is the last stable
    // offset, not the high watermark (end_offset in librdkafka's src/rdkafka_fetcher.c). With the high
    // watermark as the end, the cache would note records it never read as read, and skip them for good
    // once their transaction commits.
    private Dictionary<int, long> Offsets(IAdminClient admin, List<TopicPartition> partitions, OffsetSpec spec)
    {
        var result = admin.ListOffsetsAsync(
                partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }),
                new ListOffsetsOptions { RequestTimeout = timeout, IsolationLevel = IsolationLevel.ReadCommitted })
            .GetAwaiter().GetResult();
        return result.ResultInfos.ToDictionary(i => i.TopicPartitionOffsetError.Partition.Value, i => i.TopicPartitionOffsetError.Offset.Value);
    }

    /// <summary>
    /// Reads the given ranges; each new record that <paramref name="scanner"/> accepts is written to
    /// <paramref name="output"/> as a line. <paramref name="progress"/> gets new records read;
    /// <paramref name="notice"/> how many records retention removed before they could be read.
    /// </summary>
    public PartitionsRead ReadPartitions(IReadOnlyList<PartitionRead> reads, SchemaScanner scanner, Stream output, IProgress<long>? progress, Action<string>? notice = null)
    {
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentNullException.ThrowIfNull(scanner);
        // Each partition's latest record is kept as read and hashed once at the end, not per record.
        var latest = new Dictionary<int, (long Offset, byte[] Value, long? Ms)>();
        var wanted = reads.Where(r => r.High > r.From).ToDictionary(r => r.Partition);
        if (wanted.Count == 0)
        {
            return new PartitionsRead(true, new Dictionary<int, LastRecord>());
        }

        var consumer = Consumer();
        consumer.Assign(wanted.Values.Select(r => new TopicPartitionOffset(topic, r.Partition, r.From)));
        var line = new LineWriter(output);
        var firsts = new Dictionary<int, LastRecord>(); // each partition's first record read; fetched again at the end
        var positions = wanted.Values.ToDictionary(r => r.Partition, r => new Position(r.From));
        var read = 0L;
        var idle = DateTime.UtcNow;
        try
        {
            while (wanted.Count > 0)
            {
                ConsumeResult<Ignore, byte[]>? record;
                try
                {
                    record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                }
                catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_AutoOffsetReset && e.ConsumerRecord is { } failed && wanted.TryGetValue(failed.Partition.Value, out var gone))
                {
                    var position = positions[gone.Partition];
                    var before = position.Next;
                    if (!Reposition(consumer, gone, position))
                    {
                        return PartitionsRead.Mismatch;
                    }

                    if (position.Next >= gone.High)
                    {
                        wanted.Remove(gone.Partition);
                    }

                    if (position.Next > before)
                    {
                        idle = DateTime.UtcNow; // progress; a broker failing fetches it says are in range runs into the timeout
                    }

                    continue;
                }

                if (record is null)
                {
                    ThrowIfIdleSince(idle, wanted.Keys, "unfinished");
                    continue;
                }

                idle = DateTime.UtcNow;
                var partition = record.Partition.Value;
                if (!wanted.TryGetValue(partition, out var range))
                {
                    continue;
                }

                var offset = record.Offset.Value;
                if (record.IsPartitionEOF)
                {
                    if ((range.Expect is not null && !firsts.ContainsKey(partition)) || offset < positions[partition].Next)
                    {
                        return PartitionsRead.Mismatch; // the expected record is gone
                    }

                    wanted.Remove(partition);
                    continue;
                }

                var value = record.Message.Value ?? [];
                var ms = Milliseconds(record.Message.Timestamp);
                if (!firsts.ContainsKey(partition))
                {
                    var first = firsts[partition] = Identify(offset, value, ms);
                    if (range.Expect is { } expected && first != expected)
                    {
                        return PartitionsRead.Mismatch;
                    }
                }

                if (offset < positions[partition].Next)
                {
                    // Back to records before those read: the partition's log is not the one being read (the
                    // topic was recreated or truncated, and the read reset to its start).
                    return PartitionsRead.Mismatch;
                }

                positions[partition].Landed(offset);
                if (offset >= range.High)
                {
                    wanted.Remove(partition);
                    continue;
                }

                latest[partition] = (offset, value, ms);
                if (offset >= range.New)
                {
                    if (scanner.Add(value))
                    {
                        line.Write(partition, offset, ms, value);
                    }

                    if (++read % 10_000 == 0)
                    {
                        progress?.Report(read);
                    }
                }

                if (offset >= range.High - 1)
                {
                    wanted.Remove(partition);
                }
            }
        }
        catch (KafkaException e)
        {
            // An error on a partition (the topic deleted, no access) ends the read: one line, exit code 1.
            throw new SourceException($"Kafka at {bootstrapServers} could not send the records of '{topic}': {e.Error.Reason} ({e.Error.Code}).", e);
        }
        finally
        {
            consumer.Unassign();
        }

        progress?.Report(read);
        if (!FirstRecordsStillThere(firsts))
        {
            return PartitionsRead.Mismatch;
        }

        var removed = positions.Where(p => p.Value.Removed > 0).OrderBy(p => p.Key).ToList();
        if (removed.Count > 0)
        {
            var count = removed.Sum(p => p.Value.Removed);
            notice?.Invoke($"Retention removed {count:N0} event{(count == 1 ? "" : "s")} of partition{(removed.Count == 1 ? "" : "s")} "
                + $"{string.Join(", ", removed.Select(p => p.Key))} before this run could read {(count == 1 ? "it" : "them")}: the counts cover the events that were left.");
        }

        return new PartitionsRead(true, latest.ToDictionary(l => l.Key, l => Identify(l.Value.Offset, l.Value.Value, l.Value.Ms)));
    }

    // The first record read of each partition, fetched again once the read is done. Another record at its
    // offset means the topic was replaced during the read (deleted and created again, a broker rebuilt) and
    // the read went on in the new one, mixing two topics' events: offsets alone do not show it when the new
    // log is as long. A record gone tells nothing: retention (or compaction) removes records meanwhile.
    private bool FirstRecordsStillThere(Dictionary<int, LastRecord> firsts)
    {
        if (firsts.Count == 0)
        {
            return true;
        }

        var open = new Dictionary<int, LastRecord>(firsts);
        var consumer = Consumer();
        consumer.Assign(open.Select(f => new TopicPartitionOffset(topic, f.Key, f.Value.Offset)));
        var idle = DateTime.UtcNow;
        try
        {
            while (open.Count > 0)
            {
                ConsumeResult<Ignore, byte[]>? record;
                try
                {
                    record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                }
                catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_AutoOffsetReset && e.ConsumerRecord is { } gone)
                {
                    open.Remove(gone.Partition.Value); // out of range: removed by retention since it was read
                    continue;
                }

                if (record is null)
                {
                    ThrowIfIdleSince(idle, open.Keys, "unchecked");
                    continue;
                }

                idle = DateTime.UtcNow;
                if (!open.Remove(record.Partition.Value, out var first))
                {
                    continue;
                }

                if (record.IsPartitionEOF)
                {
                    return false; // the log ends before a record this run read
                }

                var ms = Milliseconds(record.Message.Timestamp);
                if (record.Offset.Value == first.Offset && Identify(record.Offset.Value, record.Message.Value ?? [], ms) != first)
                {
                    return false;
                }
            }
        }
        catch (KafkaException e)
        {
            throw new SourceException($"Kafka at {bootstrapServers} could not send the records of '{topic}': {e.Error.Reason} ({e.Error.Code}).", e);
        }
        finally
        {
            consumer.Unassign();
        }

        return true;
    }

    // The partition's next offset is no longer on the topic (its fetch failed with OFFSET_OUT_OF_RANGE, and
    // auto.offset.reset=error stopped its fetching: rd_kafka_offset_reset in librdkafka's src/rdkafka_offset.c).
    // Retention removed it after the read began: go on from the first offset left, counting what was lost.
    // The embedded broker removes a partition's oldest batch on every write past its 5 MiB, so under load
    // its first offset moves on between two fetches, and a fetch at the first offset found fails again:
    // each further failure jumps farther past it (16, 64, 256... records) until a fetch lands. False when
    // the offset is past the partition's end instead: the topic was recreated or truncated.
    private bool Reposition(IConsumer<Ignore, byte[]> consumer, PartitionRead range, Position position)
    {
        var partition = new TopicPartition(topic, range.Partition);
        var offsets = consumer.QueryWatermarkOffsets(partition, timeout);
        if (position.Next > offsets.High.Value || (range.Expect is not null && position.Next == range.From && position.Next < offsets.Low.Value))
        {
            // Past the end (a new, shorter log), or the record the cache expects is gone.
            return false;
        }

        if (position.Next < offsets.Low.Value)
        {
            position.SkipPast(offsets.Low.Value, range.High);
        }

        // Only this partition: the others keep what they have fetched. None of it left to read: done.
        consumer.IncrementalUnassign([partition]);
        if (position.Next < range.High)
        {
            consumer.IncrementalAssign([new TopicPartitionOffset(partition, position.Next)]);
        }

        return true;
    }

    /// <summary>
    /// Where a partition's read is: the next offset, the records skipped because retention removed them,
    /// and how far past the first offset the next repositioning jumps (0 until a fetch fails again).
    /// </summary>
    internal sealed class Position(long next)
    {
        private long _jump;

        public long Next { get; private set; } = next;

        public long Removed { get; private set; }

        public void Landed(long offset)
        {
            Next = offset + 1;
            _jump = 0;
        }

        // Resumes at the first offset left, or farther past it each time in a row: 0, 16, 64, 256... records.
        public void SkipPast(long low, long high)
        {
            var resume = Math.Min(low + _jump, high);
            _jump = _jump == 0 ? 16 : _jump * 4;
            Removed += resume - Next;
            Next = resume;
        }
    }

    // Nothing from Kafka for longer than the timeout while these partitions wait: the broker stopped answering.
    private void ThrowIfIdleSince(DateTime idle, IEnumerable<int> partitions, string waiting)
    {
        if (DateTime.UtcNow - idle > timeout)
        {
            throw new SourceException($"Kafka at {bootstrapServers} stopped sending records of '{topic}' (partitions {string.Join(", ", partitions)} {waiting}).");
        }
    }

    private static long? Milliseconds(Timestamp timestamp) => timestamp.Type == TimestampType.NotAvailable ? null : timestamp.UnixTimestampMs;

    // What tells a record from another written at the same offset of a recreated topic: its bytes and timestamp.
    private static LastRecord Identify(long offset, byte[] value, long? timestampMs) => new(offset, XxHash3.HashToUInt64(value, timestampMs ?? -1));

    private IConsumer<Ignore, byte[]> Consumer()
    {
        if (_consumer is null)
        {
            LoadShippedLibrdkafka();
            _consumer = NewConsumer();
        }

        return _consumer;
    }

    public void Dispose() => _consumer?.Dispose();

    /// <summary>Writes one valid event object as a line, the record's metadata first.</summary>
    private sealed class LineWriter(Stream output)
    {
        // The metadata keys as UTF-8, once: {"__kafka_partition": ,"__kafka_offset": ,"__kafka_timestamp_ms":
        private static readonly byte[][] Keys = EventSnapshot.MetadataKeys
            .Select((k, i) => System.Text.Encoding.UTF8.GetBytes($"{(i == 0 ? "{" : ",")}\"{k.Key}\":"))
            .ToArray();

        private readonly byte[] _meta = new byte[128];

        public void Write(int partition, long offset, long? timestampMs, byte[] value)
        {
            var length = 0;
            Append(Keys[0], ref length);
            Utf8Formatter.TryFormat(partition, _meta.AsSpan(length), out var written);
            length += written;
            Append(Keys[1], ref length);
            Utf8Formatter.TryFormat(offset, _meta.AsSpan(length), out written);
            length += written;
            Append(Keys[2], ref length);
            if (timestampMs is { } ms)
            {
                Utf8Formatter.TryFormat(ms, _meta.AsSpan(length), out written);
                length += written;
            }
            else
            {
                Append("null"u8, ref length);
            }

            // A valid object: '{', then either '}' or its first member.
            var body = value.AsSpan(value.AsSpan().IndexOf((byte)'{') + 1);
            if (body.TrimStart(" \t\r\n"u8)[0] != (byte)'}')
            {
                Append(","u8, ref length);
            }

            output.Write(_meta, 0, length);

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

        private void Append(ReadOnlySpan<byte> text, ref int length)
        {
            text.CopyTo(_meta.AsSpan(length));
            length += text.Length;
        }
    }

    // Here, just before the first Kafka client, rather than at start: a run over --input or on Spark never
    // needs librdkafka, so a missing copy cannot fail it. Confluent.Kafka would otherwise load it by name,
    // and may take another copy on the loader's path (ShippedLibrdkafka says why).
    private static void LoadShippedLibrdkafka()
    {
        try
        {
            ShippedLibrdkafka.Load();
        }
        catch (LibrdkafkaLoadException e)
        {
            // Without it the topic cannot be read: exit code 1, one line.
            throw new SourceException(e.Message, e);
        }
    }

    private IConsumer<Ignore, byte[]> NewConsumer() => new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrapServers,
        GroupId = "gameapi-analytics", // required by librdkafka even for Assign; nothing is committed
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = true,
        // Only the timestamp is read: marshalling each record's topic and headers costs throughput.
        ConsumeResultFields = "timestamp",
        // A batch read wants what is there now. Brokers hold a fetch up to this long when some of its
        // partitions have nothing new, which partitions already read to the end always do
        // (librdkafka's default, 500 ms, made reading the topic much slower; docs/benchmarks.md).
        FetchWaitMaxMs = 10,
        // The consume loop is slower than the fetcher, so the prefetch queue fills; librdkafka then
        // postpones that partition's next fetch by fetch.queue.backoff.ms (1 s by default), which made
        // a whole-topic read far slower than kcat (docs/benchmarks.md). A snapshot wants everything
        // prefetched: no count limit (the byte limit, queued.max.messages.kbytes, still bounds memory),
        // and a short backoff when that is reached.
        QueuedMinMessages = 10_000_000,
        FetchQueueBackoffMs = 10,
        SocketTimeoutMs = (int)timeout.TotalMilliseconds,
        // Retention can remove records before this run reaches them: the embedded broker drops a
        // partition's oldest batches past 5 MiB while the API writes, and a read that starts at the
        // first offset found a moment earlier then fetches an offset that is gone. librdkafka's default
        // (latest) skipped the rest of such a partition without a word (a whole topic read as 0 events
        // while the API was under load), and earliest, at the first offset of the last fetch, failed
        // again and again while the first offset kept moving. An error instead: Reposition goes on.
        AutoOffsetReset = AutoOffsetReset.Error,
        // After a failed fetch (the reset above, a leader moving): librdkafka's 500 ms would hold a batch read.
        FetchErrorBackoffMs = 10,
    }).SetLogHandler(Quiet).SetErrorHandler((_, _) => { }).Build();

    // librdkafka logs every failed connection attempt to stderr; failures reach the user as one message.
    private static void Quiet<T>(T client, LogMessage message)
    {
    }
}
