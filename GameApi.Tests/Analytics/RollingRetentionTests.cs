using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using GameApi.Analytics.Events;
using GameApi.Infrastructure.Embedded;

namespace GameApi.Tests.Analytics;

/// <summary>
/// Reading a topic while a producer writes past the embedded broker's 5 MiB per partition: the broker drops
/// each partition's oldest batch on every write, so the first offset keeps moving, during the read too.
/// </summary>
[NonParallelizable]
public class RollingRetentionTests
{
    private const string Topic = "rolling";
    private static readonly string Padding = new('x', 1000);

    private EmbeddedKafkaBroker _broker = null!;
    private CancellationTokenSource _stop = null!;
    private Task _producing = null!;
    private volatile bool _steady;
    private readonly ManualResetEventSlim _slowed = new();

    [SetUp]
    public void WriteUntilRetentionRolls()
    {
        _broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        _broker.CreateTopic(Topic, 2);
        _stop = new CancellationTokenSource();
        _producing = Task.Run(() => Produce(_stop.Token));
        // Both partitions past 5 MiB: every further write removes records from their start.
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _broker.BootstrapServers, GroupId = "gameapi-tests" }).Build();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Enumerable.Range(0, 2).Any(p => consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(10)).Low.Value == 0))
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the producer did not fill both partitions past 5 MiB");
            Assert.That(_producing.IsFaulted, Is.False, () => _producing.Exception!.ToString());
            Thread.Sleep(100);
        }

        _steady = true;
        Assert.That(_slowed.Wait(TimeSpan.FromSeconds(30)), "the producer did not slow down");
    }

    [TearDown]
    public void StopProducerAndBroker()
    {
        _stop.Cancel();
        _producing.Wait(TimeSpan.FromSeconds(30));
        _stop.Dispose();
        _slowed.Reset();
        _steady = false;
        _broker.Dispose();
    }

    [OneTimeTearDown]
    public void DisposeSignal() => _slowed.Dispose();

    // One record per batch, about 1 KB each: as fast as the broker takes them until both partitions are
    // full, then 500 at a time with a quarter of a second between (under 2,000 a second, as a busy API
    // writes): each partition's first offset moves on in steps, and its 5 MiB turn over in several
    // seconds, longer than a read takes.
    private void Produce(CancellationToken stop)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers, LingerMs = 0, BatchNumMessages = 1 }).Build();
        for (var i = 0L; !stop.IsCancellationRequested; i++)
        {
            var value = $$"""{"event_type":"purchase_item","item":"sword","event_id":"{{i}}","padding":"{{Padding}}"}""";
            producer.Produce(new TopicPartition(Topic, (int)(i % 2)), new Message<Null, string> { Value = value });
            // Waits for delivery every 500: no backlog left in the producer's queue goes on at full speed after the slow-down.
            if (i % 500 == 499)
            {
                producer.Flush(TimeSpan.FromSeconds(10));
                if (_steady)
                {
                    _slowed.Set();
                    Thread.Sleep(250);
                }
            }
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    [Test]
    public void ReadWhileTheFirstOffsetMoves_EveryRecordReadOrCountedAsRemoved()
    {
        using var kafka = new KafkaSource(_broker.BootstrapServers, Topic, TimeSpan.FromSeconds(10));
        var start = kafka.Partitions(notice: null)!;
        // Until both first offsets have moved past where the read will start: its first fetches fail.
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _broker.BootstrapServers, GroupId = "gameapi-tests" }).Build())
        {
            while (start.Any(p => consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p.Partition), TimeSpan.FromSeconds(10)).Low.Value <= p.Low))
            {
                Thread.Sleep(20);
            }
        }

        var scanner = new SchemaScanner();
        var notices = new List<string>();
        using var output = new MemoryStream();

        var read = kafka.ReadPartitions(start.Select(p => new PartitionRead(p.Partition, p.Low, p.Low, p.High, null)).ToList(), scanner, output, null, notices.Add);

        Assert.That(read.Matched);
        var offsets = Offsets(output);
        foreach (var partition in start)
        {
            var mine = offsets.Where(o => o.Partition == partition.Partition).Select(o => o.Offset).ToList();
            Assert.That(mine, Is.Ordered.Ascending.And.Unique, $"partition {partition.Partition}");
            Assert.That(mine, Has.All.InRange(partition.Low, partition.High - 1), $"partition {partition.Partition}");
        }

        Assert.That(notices, Has.Count.EqualTo(1));
        var removed = long.Parse(notices[0].Split(' ')[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.That(notices[0], Does.Match(@"^Retention removed [\d,]+ events of partitions 0, 1 before this run could read them: the counts cover the events that were left\.$"));
        Assert.That(removed, Is.Positive);
        // Nothing lost without a word: what was on the topic at the start was read or said to be removed.
        Assert.That(offsets.Count + removed, Is.EqualTo(start.Sum(p => p.High - p.Low)));
        Assert.That(scanner.Events, Is.EqualTo(offsets.Count));
    }

    [Test]
    public void Cli_ReadWhileTheFirstOffsetMoves_ReadsEveryPartition()
    {
        var outcome = AnalyticsRunner.Run(["--bootstrap-servers", _broker.BootstrapServers, "--topic", Topic, "--no-cache", "--format", "json",
            "sql", "SELECT kafka_partition AS p, COUNT(*) AS n FROM events GROUP BY p ORDER BY p"]);

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        // Each partition is read (none was, before: a fetch at a removed offset skipped to the end). How much
        // retention took meanwhile depends on the machine's speed; the test above counts it.
        var rows = outcome.JsonRows.Select(r => (Partition: (int)r["p"]!, Count: (long)r["n"]!)).ToList();
        Assert.That(rows.Select(r => r.Partition), Is.EqualTo(new[] { 0, 1 }), outcome.Stderr);
        Assert.That(rows.Select(r => r.Count), Has.All.Positive, outcome.Stderr);
        // Both partitions have lost their first events: one line says so.
        Assert.That(outcome.Stderr.Split('\n').Where(l => l.Contains("earlier events", StringComparison.Ordinal)).ToList(),
            Has.Count.EqualTo(1).And.All.Match(@"^partitions 0, 1 no longer start at offset 0: [\d,]+ earlier events are no longer on the topic$"));
    }

    // Under a fast producer a fetch at the first offset left fails again, the start having moved on by
    // then (the read then never lands, a whole partition counted as removed): each further failure in a
    // row resumes farther past it, until a record is read.
    [Test]
    public void Position_FetchesFailingInARow_ResumeFartherPastTheFirstOffsetUntilOneLands()
    {
        var position = new KafkaSource.Position(100);

        position.SkipPast(low: 150, high: 10_000);
        Assert.That((position.Next, position.Removed), Is.EqualTo((150L, 50L)));
        position.SkipPast(low: 160, high: 10_000);
        Assert.That((position.Next, position.Removed), Is.EqualTo((176L, 76L)));
        position.SkipPast(low: 180, high: 10_000);
        Assert.That((position.Next, position.Removed), Is.EqualTo((244L, 144L)));

        position.Landed(244);
        position.SkipPast(low: 300, high: 10_000);
        Assert.That((position.Next, position.Removed), Is.EqualTo((300L, 199L)), "a landed fetch starts over at the first offset left");
        position.SkipPast(low: 9_990, high: 10_000);
        Assert.That((position.Next, position.Removed), Is.EqualTo((10_000L, 9_899L)), "never past the end of the read");
    }

    /// <summary>The partition and offset of each line a read wrote, in order.</summary>
    internal static List<(int Partition, long Offset)> Offsets(MemoryStream output) =>
        System.Text.Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                using var json = JsonDocument.Parse(line);
                return (json.RootElement.GetProperty("__kafka_partition").GetInt32(), json.RootElement.GetProperty("__kafka_offset").GetInt64());
            })
            .ToList();
}
