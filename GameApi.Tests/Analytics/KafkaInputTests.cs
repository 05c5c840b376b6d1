using System.Diagnostics;
using System.Net;
using Confluent.Kafka;
using GameApi.Analytics.Events;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>The analytics reading a topic of the embedded broker, with events the real API produced.</summary>
public class KafkaInputTests
{
    // Partition 0 written past the embedded broker's 5 MiB per partition, so it has dropped its oldest
    // events as Kafka's retention would (the mock broker does not take DeleteRecords); partition 1 whole.
    private const string Retained = "retained";
    private const int Overflowing = 100;
    private static readonly string Padding = new('x', 64 * 1024);

    private GameApiFactory _api = null!;
    private string _bootstrap = null!;
    private WatermarkOffsets _overflowed = null!;

    [OneTimeSetUp]
    public async Task ProduceThroughTheApi()
    {
        _api = new GameApiFactory(new Dictionary<string, string?> { ["Kafka:Partitions"] = "3" });
        using var client = _api.CreateClient();
        _bootstrap = _api.Kafka.BootstrapServers;
        string[] calls =
        [
            "/", "/", "/purchase_a_sword",
            "/purchase_item?item=sword", "/purchase_item?item=sword", "/purchase_item?item=knife", "/purchase_item", "/purchase_item?item=axe",
            "/join_guild?guild_id=1", "/join_guild?guild_id=1", "/join_guild?guild_id=2", "/join_guild", "/join_guild?guild_id=x", "/join_guild?guild_id=-4",
        ];
        foreach (var call in calls)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, call);
            request.Headers.TryAddWithoutValidation("User-Agent", call.StartsWith("/join", StringComparison.Ordinal) ? "GuildClient/2" : "ShopClient/1");
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.BadRequest));
        }

        // A producer that is not the API: junk must be skipped and counted, a resend counted once.
        using var producer = new ProducerBuilder<Null, byte[]?>(new ProducerConfig { BootstrapServers = _bootstrap }).Build();
        var first = TopicReader.ReadAll(_bootstrap, "events").First();
        await producer.ProduceAsync("events", new Message<Null, byte[]?> { Value = System.Text.Encoding.UTF8.GetBytes(first) });
        foreach (var junk in new[] { "not json"u8.ToArray(), "[1,2,3]"u8.ToArray(), [], null })
        {
            await producer.ProduceAsync("events", new Message<Null, byte[]?> { Value = junk });
        }

        WriteRetainedTopic();
    }

    private void WriteRetainedTopic()
    {
        _api.Kafka.Embedded!.CreateTopic(Retained, 2);
        TopicWriter.Write(_bootstrap, Retained, Enumerable.Range(0, Overflowing).Select(i => $$"""{"event_type":"default","event_id":"0-{{i}}","padding":"{{Padding}}"}"""), partition: 0);
        TopicWriter.Write(_bootstrap, Retained, ["""{"event_type":"default","event_id":"1-0"}""", """{"event_type":"default","event_id":"1-1"}"""], partition: 1);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _bootstrap, GroupId = "gameapi-tests" }).Build();
        _overflowed = consumer.QueryWatermarkOffsets(new TopicPartition(Retained, 0), TimeSpan.FromSeconds(10));
        Assert.That(_overflowed.Low.Value, Is.InRange(1, Overflowing - 1), "the embedded broker kept every event, or none, of a partition past 5 MiB");
    }

    [OneTimeTearDown]
    public void StopApi() => _api.Dispose();

    private AnalyticsOutcome Run(params string[] args) =>
        AnalyticsRunner.Run([.. args, "--bootstrap-servers", _bootstrap, "--format", "json"]);

    private static string Compact(JToken token) => token.ToString(Newtonsoft.Json.Formatting.None);

    [Test]
    public void Report_NumbersMatchWhatTheApiWasAsked()
    {
        var outcome = Run("report");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        var report = outcome.JsonObject;
        Assert.That(Compact(report["events_per_type"]!), Is.EqualTo(
            """[{"event_type":"join_guild","events":6},{"event_type":"purchase_item","events":5},{"event_type":"default","events":2},{"event_type":"purchase_sword","events":1}]"""));
        Assert.That(Compact(report["purchases_per_item"]!), Is.EqualTo(
            """[{"item":"sword","events":2},{"item":"invalid","events":1},{"item":"knife","events":1},{"item":"missing","events":1}]"""));
        Assert.That(Compact(report["guild_joins_per_guild"]!), Is.EqualTo(
            """[{"guild_id":"1","events":2},{"guild_id":"invalid","events":2},{"guild_id":"2","events":1},{"guild_id":"missing","events":1}]"""));
        Assert.That(Compact(report["events_per_user_agent"]!), Is.EqualTo(
            """[{"user_agent":"ShopClient/1","events":8},{"user_agent":"GuildClient/2","events":6}]"""));
    }

    [Test]
    public void Junk_SkippedAndCounted()
    {
        var outcome = Run("sql", "SELECT COUNT(*) AS n FROM events");

        Assert.That(outcome.JsonRows[0]["n"]!.Value<long>(), Is.EqualTo(14));
        Assert.That(outcome.Stderr, Does.Contain("Skipped 4 messages"));
        Assert.That(outcome.Stderr, Does.Contain("Counted 1 resent event once"));
    }

    [Test]
    public void Events_CarryKafkaPartitionOffsetAndTimestamp()
    {
        var rows = Run("sql", "SELECT kafka_partition, kafka_offset, kafka_timestamp, event_id FROM events").JsonRows;

        Assert.That(rows, Has.Count.EqualTo(14));
        Assert.That(rows.Select(r => r["kafka_partition"]!.Value<int>()), Has.All.InRange(0, 2));
        Assert.That(rows.Select(r => (r["kafka_partition"]!.Value<int>(), r["kafka_offset"]!.Value<long>())).Distinct().Count(), Is.EqualTo(14));
        Assert.That(rows.Select(r => DateTime.Parse(r["kafka_timestamp"]!.Value<string>()!, System.Globalization.CultureInfo.InvariantCulture)),
            Has.All.GreaterThan(DateTime.UtcNow.AddHours(-1)));
    }

    // A producer sets a record's timestamp to any 64-bit number of milliseconds.
    [Test]
    public async Task RecordTimestampPastTheYear9999_IsNull_TheRunGoesOn()
    {
        _api.Kafka.Embedded!.CreateTopic("far-future", 1);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = _bootstrap }).Build())
        {
            var inTenThousand = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).ToUnixTimeMilliseconds() + 1000;
            await producer.ProduceAsync("far-future", new Message<Null, string> { Value = """{"event_type":"a","event_id":"1"}""", Timestamp = new Timestamp(inTenThousand, TimestampType.CreateTime) });
            await producer.ProduceAsync("far-future", new Message<Null, string> { Value = """{"event_type":"a","event_id":"2"}""", Timestamp = new Timestamp(new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc)) });
        }

        var outcome = Run("--topic", "far-future", "--no-cache", "sql", "SELECT event_id, kafka_timestamp FROM events ORDER BY event_id");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonRows.Select(r => (string?)r["kafka_timestamp"]), Is.EqualTo(new[] { null, "2026-12-03 00:00:00" }));
    }

    [Test]
    public void Schema_KafkaColumnsCarriedByEveryEvent()
    {
        var rows = Run("schema").JsonRows;

        Assert.That(rows.Single(r => r["column"]!.Value<string>() == "kafka_offset")["percent"]!.Value<double>(), Is.EqualTo(100));
        Assert.That(rows.Single(r => r["column"]!.Value<string>() == "user_agent")["percent"]!.Value<double>(), Is.EqualTo(100));
    }

    [Test]
    public void MissingTopic_EmptyResultAndAMessage()
    {
        var outcome = Run("--topic", "no-such-topic", "report");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("no-such-topic").And.Contain("does not exist"));
        Assert.That(outcome.JsonObject["events_per_type"], Is.Empty);
    }

    [Test]
    public void EmptyTopic_EmptyResultAndAMessage()
    {
        _api.Kafka.Embedded!.CreateTopic("empty-topic", 2);

        var outcome = Run("--topic", "empty-topic", "events");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("empty"));
        Assert.That(outcome.JsonRows, Is.Empty);
    }

    [Test]
    public void UnreachableBroker_Exit1QuicklyNamingTheAddress()
    {
        using var stopped = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        var address = stopped.BootstrapServers;
        stopped.Dispose();
        var clock = Stopwatch.StartNew();

        var outcome = AnalyticsRunner.Run("report", "--bootstrap-servers", address, "--timeout", "2");

        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.Contain(address));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)));
    }

    [Test]
    public void Read_PartitionMissingItsFirstEvents_OneNoticeNamingIt()
    {
        var outcome = Run("--topic", Retained, "report");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stderr.Split('\n').Where(l => l.Contains("earlier events", StringComparison.Ordinal)).ToList(), Is.EqualTo(new[]
        {
            $"partition 0 starts at offset {_overflowed.Low.Value}: earlier events are no longer on the topic",
        }));
    }

    [Test]
    public void Read_PartitionMissingItsFirstEvents_CountsTheEventsStillThere()
    {
        var rows = Run("--topic", Retained, "sql", "SELECT kafka_partition AS p, COUNT(*) AS n, MIN(kafka_offset) AS first FROM events GROUP BY p ORDER BY p").JsonRows;

        var left = _overflowed.High.Value - _overflowed.Low.Value;
        Assert.That(Compact(rows), Is.EqualTo($$"""[{"p":0,"n":{{left}},"first":{{_overflowed.Low.Value}}},{"p":1,"n":2,"first":0}]"""));
    }

    [Test]
    public void ReadPartitions_FirstOffsetGoneBeforeTheFetch_ReadsTheRestAndSaysHowManyWereRemoved()
    {
        // As when retention moves a partition's first offset on between the run finding it and fetching it:
        // librdkafka's default reset (latest) read nothing of the partition and said nothing.
        using var kafka = new KafkaSource(_bootstrap, Retained, TimeSpan.FromSeconds(10));
        var scanner = new SchemaScanner();
        var notices = new List<string>();
        using var output = new MemoryStream();

        var read = kafka.ReadPartitions([new PartitionRead(0, From: 0, New: 0, High: Overflowing, Expect: null)], scanner, output, null, notices.Add);

        var low = _overflowed.Low.Value;
        Assert.That(read.Matched);
        Assert.That(RollingRetentionTests.Offsets(output), Is.EqualTo(Enumerable.Range((int)low, Overflowing - (int)low).Select(o => (0, (long)o))));
        Assert.That(scanner.Events, Is.EqualTo(Overflowing - low));
        Assert.That(notices, Is.EqualTo(new[] { $"Retention removed {low} events of partition 0 before this run could read them: the counts cover the events that were left." }));
    }

    // A broker rebuilt (or the topic deleted and created again) during a read: the read went on in the new
    // topic at its own offsets and mixed both topics' events, exit 0, and the cache kept the mix (a review
    // saw old 100,000 and new 500,000 in one answer). The first record read of each partition is fetched
    // again at the end; another one there ends the read.
    [Test]
    public void Read_TopicReplacedDuringTheRead_EndsAskingToRunAgain()
    {
        var probe = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        var address = probe.BootstrapServers;
        TopicWriterInto(probe, "old");
        var broker = probe;
        try
        {
            using var kafka = new KafkaSource(address, "replaced", TimeSpan.FromSeconds(10));
            var scratch = Directory.CreateDirectory(TestRunFolder.NewPath("replaced", "")).FullName; // removed with the run's folder
            var replaced = new ReplaceOnFirstReport(() =>
            {
                broker.Dispose();
                broker = EmbeddedKafkaBroker.Start(address);
                TopicWriterInto(broker, "new");
            });

            Assert.That(() => kafka.Read(scratch, replaced), Throws.TypeOf<SourceException>().With.Message.Contains("changed while it was being read"));
            Assert.That(replaced.Done, Is.True, "the topic was not replaced during the read");
        }
        finally
        {
            broker.Dispose();
        }

        static void TopicWriterInto(EmbeddedKafkaBroker broker, string tag)
        {
            broker.CreateTopic("replaced", 1);
            TopicWriter.Write(broker.BootstrapServers, "replaced", Enumerable.Range(0, 25_000).Select(i => $$"""{"event_type":"{{tag}}","n":{{i}}}"""), partition: 0);
        }
    }

    // Progress reports come on the reading thread, between two records: the moment to swap the broker.
    private sealed class ReplaceOnFirstReport(Action replace) : IProgress<long>
    {
        public bool Done { get; private set; }

        public void Report(long value)
        {
            if (!Done && value > 0)
            {
                Done = true;
                replace();
            }
        }
    }

    [Test]
    public void Read_TopicRefusedMidRead_Exit1WithKafkasReason()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("refused", 1);
        TopicWriter.Write(broker.BootstrapServers, "refused", ["""{"event_type":"default"}"""]);
        // Kafka's answer when the run's credentials may not read the topic: librdkafka hands it to the reader.
        broker.FailNextFetchRequests(ErrorCode.TopicAuthorizationFailed);

        var outcome = AnalyticsRunner.Run(["--bootstrap-servers", broker.BootstrapServers, "--topic", "refused", "--no-cache", "sql", "SELECT COUNT(*) FROM events"]);

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr.Trim(), Does.StartWith($"error: Kafka at {broker.BootstrapServers} could not send the records of 'refused': ").And.EndWith("(TopicAuthorizationFailed)."));
    }

    [TestCase("events")]
    [TestCase("schema")]
    [TestCase("report")]
    [TestCase("sql", "SELECT COUNT(*) AS n FROM events")]
    public void RetentionNotice_EveryFormat_OnStderrNeverStdout(params string[] command)
    {
        foreach (var format in new[] { "table", "csv", "json" })
        {
            var outcome = AnalyticsRunner.Run([.. command, "--topic", Retained, "--bootstrap-servers", _bootstrap, "--format", format]);

            Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.Contain($"partition 0 starts at offset {_overflowed.Low.Value}: earlier events are no longer on the topic"), format);
            Assert.That(outcome.Stdout, Does.Not.Contain("earlier events"), format);
        }
    }
}
