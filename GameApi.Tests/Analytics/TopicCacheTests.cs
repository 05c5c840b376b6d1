using System.Runtime.Versioning;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;

namespace GameApi.Tests.Analytics;

/// <summary>
/// The embedded engine's topic cache: a run reads only what is new, and answers what a run with
/// --no-cache answers, whatever happened to the topic in between.
/// </summary>
public class TopicCacheTests
{
    private const string Topic = "events";
    private static readonly string[] Types = ["default", "purchase_sword", "join_guild"];

    private EmbeddedKafkaBroker _broker = null!;
    private string _cache = null!;

    [SetUp]
    public void StartBroker()
    {
        _broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        _broker.CreateTopic(Topic, 3);
        _cache = Path.Combine(Path.GetTempPath(), $"gameapi-cache-test-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void StopBroker()
    {
        _broker.Dispose();
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    // Events of the API's shape; the tag makes event_ids unique to one batch.
    private static IEnumerable<string> Events(string tag, int count, int typeShift = 0) => Enumerable.Range(0, count).Select(i =>
        $$"""{"event_type":"{{Types[(i + typeShift) % Types.Length]}}","event_id":"{{tag}}-{{i}}","timestamp":"2026-12-01T10:{{i % 60:00}}:00Z","n":{{i}}}""");

    private void Write(IEnumerable<string> values, int? partition = null) => TopicWriter.Write(_broker.BootstrapServers, Topic, values, partition);

    private AnalyticsOutcome Run(params string[] args) =>
        AnalyticsRunner.Run([.. args, "--bootstrap-servers", _broker.BootstrapServers, "--cache-dir", _cache, "--format", "json"]);

    private AnalyticsOutcome RunWithoutCache(params string[] args) =>
        AnalyticsRunner.Run([.. args, "--bootstrap-servers", _broker.BootstrapServers, "--no-cache", "--format", "json"]);

    private static long Count(AnalyticsOutcome outcome)
    {
        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        return (long)outcome.JsonRows[0]["n"]!;
    }

    private const string CountSql = "SELECT COUNT(*) AS n FROM events";

    private static void AssertRead(AnalyticsOutcome outcome, int fromKafka, int fromCache)
    {
        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain($"Read {fromKafka:N0} new event{(fromKafka == 1 ? "" : "s")} from Kafka and {fromCache:N0} from the cache"));
    }

    [Test]
    public void SecondRun_ReadsNothingNew_AnswersAsWithoutCache()
    {
        // One partition: which copy of a resend is kept (its offset, in the events command's rows) depends on
        // the order partitions are read in, which is not the same from run to run.
        Write(Events("a", 300), partition: 0);
        Write(["not json", Events("a", 2).Last()], partition: 0);

        var first = Run("report");
        var second = Run("report");
        var uncached = RunWithoutCache("report");

        AssertRead(first, 300, 0);
        AssertRead(second, 0, 300);
        Assert.That(second.Stdout, Is.EqualTo(uncached.Stdout));
        Assert.That(first.Stdout, Is.EqualTo(uncached.Stdout));
        Assert.That(second.Stderr, Does.Contain("Skipped 1 message").And.Contain("Counted 1 resent event once"));
        Assert.That(Run("schema").Stdout, Is.EqualTo(RunWithoutCache("schema").Stdout));

        // In the order read, which interleaves partitions differently from run to run.
        static List<string> Sorted(AnalyticsOutcome outcome) => outcome.JsonRows.Select(r => r.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.That(Sorted(Run("events", "--limit", "0")), Is.EqualTo(Sorted(RunWithoutCache("events", "--limit", "0"))));
    }

    // A message DuckDB refuses (a name twice) made every cached and uncached run fail, and the cache kept
    // its segment: a topic holding one was unreadable until it was recreated.
    [Test]
    public void MessageTheEngineRefuses_SkippedAndCounted_CachedRunsAnswerToo()
    {
        Write(Events("a", 50));
        Write(["""{"event_type":"default","event_type":"purchase_item","event_id":"dup-0"}"""]);
        Write(Events("b", 5));

        foreach (var outcome in new[] { Run("sql", CountSql), Run("sql", CountSql), RunWithoutCache("sql", CountSql) })
        {
            Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
            Assert.That(Count(outcome), Is.EqualTo(55));
            Assert.That(outcome.Stderr, Does.Contain("Skipped 1 message that is not a readable JSON object."));
        }
    }

    // A run that fails mid-read leaves its segment; the next run removes it, even if it fails too, so
    // failures one after another (a full disk) leave at most one behind.
    [Test]
    public void FailedRuns_LeaveAtMostOneSegmentBehind()
    {
        Write(Events("a", 50));
        Assert.That(Run("sql", CountSql).ExitCode, Is.EqualTo(0));
        Write(Events("b", 50));
        var folder = Directory.GetDirectories(_cache).Single();
        var stray = Path.Combine(folder, $"segment-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(stray, "left by a run killed mid-read\n");

        for (var run = 0; run < 3; run++)
        {
            _broker.FailNextFetchRequests(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed);
            Assert.That(Run("sql", CountSql).ExitCode, Is.EqualTo(1));
        }

        Assert.That(File.Exists(stray), Is.False);
        Assert.That(Directory.GetFiles(folder, "segment-*.jsonl"), Has.Length.EqualTo(2), "the cached segment and the last failed run's");
        Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(100));
    }

    [Test]
    public void NewEvents_CountsGrowByExactlyThem_ResendsOfCachedEventsCountedOnce()
    {
        Write(Events("a", 200));
        var before = Count(Run("sql", CountSql));

        Write(Events("b", 1000, typeShift: 1));
        Write(["[1,2]", Events("a", 8).Last()]);
        var after = Run("sql", CountSql);

        AssertRead(after, 1000, 200);
        Assert.That(Count(after) - before, Is.EqualTo(1000));
        Assert.That(after.Stderr, Does.Contain("Skipped 1 message").And.Contain("Counted 1 resent event once"));
        Assert.That(Run("report").Stdout, Is.EqualTo(RunWithoutCache("report").Stdout));
    }

    [Test]
    public void NewField_AfterCaching_IsAColumn()
    {
        Write(Events("a", 10));
        Run("schema");

        Write(["""{"event_type":"default","event_id":"c-1","timestamp":"2026-12-01T11:00:00Z","n":1.5,"X-Game-Version":"2.1"}"""]);
        var schema = Run("schema");

        Assert.That(schema.ExitCode, Is.EqualTo(0), schema.Stderr);
        Assert.That(schema.Stdout, Is.EqualTo(RunWithoutCache("schema").Stdout));
        Assert.That(schema.Stdout, Does.Contain("x_game_version"));
    }

    [Test]
    public void EveryKindOfValue_SameRowsAsWithoutCache()
    {
        // Objects, arrays, floats, booleans, nulls, mixed types, odd timestamps, text that needs escaping,
        // and two keys differing only in case (which makes the table read each key by pointer).
        Write(
        [
            """{"event_type":"join_guild","event_id":"k1","timestamp":"2026-12-01T10:00:00.123+02:00","guild_id":7,"meta":{"a":[1,2,{"b":null}]},"ok":true,"f":1.50,"Item":"x"}""",
            """{"event_type":"join_guild","event_id":"k2","timestamp":"not a time","guild_id":"invalid","meta":[1],"ok":false,"f":2,"item":"y"}""",
            """{"event_type":"purchase_item","event_id":"k3","timestamp":null,"guild_id":null,"note":"żółw ☃ 😀 \"quoted\" \n line","tags":[]}""",
            """{"event_type":"default","event_id":"k4","timestamp":"2026-12-01T10:00:00Z","f":-0.0,"big":123456789012345678}""",
        ], partition: 0);
        const string All = "SELECT * FROM events ORDER BY kafka_partition, kafka_offset";

        var first = Run("sql", All);
        var second = Run("sql", All);
        var uncached = RunWithoutCache("sql", All);

        AssertRead(second, 0, 4);
        Assert.That(first.Stdout, Is.EqualTo(uncached.Stdout));
        Assert.That(second.Stdout, Is.EqualTo(uncached.Stdout));
        Assert.That(Run("schema").Stdout, Is.EqualTo(RunWithoutCache("schema").Stdout));
        Assert.That(Run("sql", "SELECT typeof(COLUMNS(*)) FROM events LIMIT 1").Stdout, Is.EqualTo(RunWithoutCache("sql", "SELECT typeof(COLUMNS(*)) FROM events LIMIT 1").Stdout));
    }

    [Test]
    public void UnchangedTable_ReadAsColumns_RewrittenOnlyWhenTheColumnsChange()
    {
        Write(Events("a", 50));
        Run("sql", CountSql);
        var columnar = Directory.GetFiles(CacheFolder(), "columnar-*.parquet");

        // New events of the same shape add a file; the first one stays as it was.
        Write(Events("b", 5));
        var same = Run("sql", CountSql);
        var afterSameShape = Directory.GetFiles(CacheFolder(), "columnar-*.parquet");

        // A new field changes the table: every segment is written again with the new column.
        Write(["""{"event_type":"default","event_id":"c-1","timestamp":"2026-12-01T11:00:00Z","n":1,"level":3}"""]);
        var wider = Run("sql", "SELECT COUNT(level) AS n FROM events");
        var afterNewField = Directory.GetFiles(CacheFolder(), "columnar-*.parquet");

        Assert.That(columnar, Has.Length.EqualTo(1));
        Assert.That(Count(same), Is.EqualTo(55));
        Assert.That(afterSameShape, Has.Length.EqualTo(2).And.Contains(columnar[0]));
        Assert.That(Count(wider), Is.EqualTo(1));
        Assert.That(afterNewField, Has.Length.EqualTo(3).And.No.AnyOf(afterSameShape));
    }

    [TestCase(50, TestName = "TopicRecreated_WithFewerEvents_CountsAreTheNewTopics")]
    [TestCase(120, TestName = "TopicRecreated_WithAsManyOtherEvents_CountsAreTheNewTopics")]
    [TestCase(400, TestName = "TopicRecreated_WithMoreEvents_CountsAreTheNewTopics")]
    public void TopicRecreated_CountsAreTheNewTopics(int newCount)
    {
        // Everything on partition 0, so "as many" is the same offsets on the same partition.
        Write(Events("old", 120), partition: 0);
        Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(120));

        // The same address, a new cluster: what deleting and creating the topic again looks like to a reader.
        var address = _broker.BootstrapServers;
        _broker.Dispose();
        _broker = EmbeddedKafkaBroker.Start(address);
        _broker.CreateTopic(Topic, 3);
        Write(Events("new", newCount, typeShift: 2), partition: 0);

        var after = Run("sql", "SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE event_id LIKE 'old-%') AS old FROM events");

        Assert.That(after.ExitCode, Is.EqualTo(0), after.Stderr);
        Assert.That(after.Stderr, Does.Contain("Rebuilding the cache"));
        Assert.That((long)after.JsonRows[0]["n"]!, Is.EqualTo(newCount));
        Assert.That((long)after.JsonRows[0]["old"]!, Is.Zero);
        Assert.That(Run("report").Stdout, Is.EqualTo(RunWithoutCache("report").Stdout));
    }

    [Test]
    public void TopicRecreatedWithFewerPartitions_CountsAreTheNewTopics()
    {
        Write(Events("old", 90));
        Run("sql", CountSql);

        var address = _broker.BootstrapServers;
        _broker.Dispose();
        _broker = EmbeddedKafkaBroker.Start(address);
        _broker.CreateTopic(Topic, 1);
        Write(Events("new", 200));

        var after = Run("sql", CountSql);

        Assert.That(after.Stderr, Does.Contain("Rebuilding the cache: partition 1 is gone"));
        Assert.That(Count(after), Is.EqualTo(200));
    }

    [Test]
    public void RetentionDroppedCachedEvents_Rebuilt_CountsWhatIsLeft()
    {
        // The embedded broker keeps 5 MiB per partition: 100 events of 64 KiB push the first ones out.
        var padding = new string('x', 64 * 1024);
        IEnumerable<string> Padded(string tag, int count) => Events(tag, count).Select(e => e.Replace("}", $$""","padding":"{{padding}}"}""", StringComparison.Ordinal));
        Write(Padded("a", 10), partition: 0);
        Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(10));

        Write(Padded("b", 100), partition: 0);
        var after = Run("sql", CountSql);

        Assert.That(after.Stderr, Does.Contain("Rebuilding the cache: partition 0 now starts at offset"));
        Assert.That(Count(after), Is.EqualTo(Count(RunWithoutCache("sql", CountSql))).And.LessThan(110));
    }

    [Test]
    public void NoCache_NeitherReadsNorWritesTheCache()
    {
        Write(Events("a", 20));

        var outcome = RunWithoutCache("sql", CountSql);
        var withDir = AnalyticsRunner.Run("sql", CountSql, "--bootstrap-servers", _broker.BootstrapServers, "--cache-dir", _cache, "--no-cache");

        Assert.That(Count(outcome), Is.EqualTo(20));
        Assert.That(withDir.ExitCode, Is.EqualTo(0), withDir.Stderr);
        Assert.That(outcome.Stderr + withDir.Stderr, Does.Not.Contain("cache"));
        Assert.That(Directory.Exists(_cache), Is.False);
    }

    // A topic without a leader for a while (an election, a broker restarting) is not a topic that is gone:
    // the run waits for it, then fails (exit 1) rather than answering 0 events and dropping the cache.
    [Test]
    public void TopicTemporarilyUnavailable_Exit1_CacheKept()
    {
        Write(Events("a", 30));
        Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(30));

        _broker.SetTopicError(Topic, Confluent.Kafka.ErrorCode.LeaderNotAvailable);
        var unavailable = Run("sql", CountSql, "--timeout", "2");
        _broker.SetTopicError(Topic, Confluent.Kafka.ErrorCode.NoError);

        Assert.That(unavailable.ExitCode, Is.EqualTo(1), unavailable.Stderr);
        Assert.That(unavailable.Stderr, Does.Contain($"Topic '{Topic}'").And.Contain("stayed unavailable for 2 s").And.Not.Contain("does not exist"));
        var after = Run("sql", CountSql);
        AssertRead(after, fromKafka: 0, fromCache: 30);
        Assert.That(Count(after), Is.EqualTo(30));
    }

    // Not a lock another run holds (here a link that points at itself; a read-only file system does the
    // same): no reason to wait 10 minutes for it.
    [Test]
    [UnsupportedOSPlatform("windows")]
    public void LockFileUnusable_Exit1AtOnce_NotWaitingForAnotherRun()
    {
        Write(Events("a", 3));
        Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(3));
        var lockFile = Path.Combine(CacheFolder(), "lock");
        File.Delete(lockFile);
        File.CreateSymbolicLink(lockFile, lockFile);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var outcome = Run("sql", CountSql);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("cannot be used").And.Contain("--no-cache").And.Not.Contain("Waiting for another run"));
    }

    // A topic name may have 249 characters, a folder name 255 bytes: the readable parts are cut, the hash tells them apart.
    [Test]
    public void LongTopicNames_EachCachedInItsOwnFolder()
    {
        var first = new string('t', 248) + "1";
        var second = new string('t', 248) + "2";
        _broker.CreateTopic(first, 1);
        _broker.CreateTopic(second, 1);
        TopicWriter.Write(_broker.BootstrapServers, first, Events("a", 3));
        TopicWriter.Write(_broker.BootstrapServers, second, Events("b", 5));

        Assert.That(Count(Run("sql", CountSql, "--topic", first)), Is.EqualTo(3));
        Assert.That(Count(Run("sql", CountSql, "--topic", second)), Is.EqualTo(5));
        AssertRead(Run("sql", CountSql, "--topic", first), fromKafka: 0, fromCache: 3);
        Assert.That(Directory.GetDirectories(_cache).Select(d => Path.GetFileName(d)).ToList(), Has.Count.EqualTo(2).And.All.Matches<string>(name => name.Length <= 255));
    }

    // The columnar copy cannot be written (a full disk; here a folder that is not there): an I/O error,
    // which the cache reports as the cache folder being unusable (exit 1), not a SQL error (exit 2).
    [Test]
    public void ColumnarCopyCannotBeWritten_IOException()
    {
        var lines = AnalyticsRunner.WriteLines(Events("a", 3).ToArray());
        var scratch = Directory.CreateDirectory(TestRunFolder.NewPath("scratch", "")).FullName;
        var schema = GameApi.Analytics.Events.FileSource.Read(lines, scratch).Schema;
        using var engine = new GameApi.Analytics.Engine.DuckDbEngine();
        var segments = new GameApi.Analytics.Engine.DuckDbEngine.ParquetSegments(engine);

        var error = Assert.Throws<IOException>(() => segments.Convert(lines, schema, Path.Combine(scratch, "missing", "columnar.parquet")));

        Assert.That(error!.Message, Does.Contain("columnar.parquet"));
    }

    [Test]
    public void CacheFolderUnusable_Exit1SayingWhatToDo()
    {
        Write(Events("a", 3));
        File.WriteAllText(_cache, "a file where the cache folder should be");
        try
        {
            var outcome = Run("sql", CountSql);

            Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
            Assert.That(outcome.Stderr, Does.StartWith("error: The cache folder " + _cache).And.Contain("--no-cache"));
            Assert.That(Count(RunWithoutCache("sql", CountSql)), Is.EqualTo(3));
        }
        finally
        {
            File.Delete(_cache);
        }
    }

    [Test]
    [UnsupportedOSPlatform("windows")]
    public void CacheFolder_OnlyTheUsersOwn()
    {
        Write(Events("a", 3));
        Run("sql", CountSql);

        Assert.That(File.GetUnixFileMode(_cache) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherExecute), Is.EqualTo(UnixFileMode.None));
        Assert.That(File.GetUnixFileMode(CacheFolder()), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void ParallelRuns_SameAnswers_CacheLeftWhole()
    {
        Write(Events("a", 2000));
        var expected = RunWithoutCache("report").Stdout;

        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Run("report"))).ToArray();
        Task.WaitAll(runs);
        Write(Events("b", 500));
        var parallelAfterWrite = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Run("sql", CountSql))).ToArray();
        Task.WaitAll(parallelAfterWrite);

        Assert.Multiple(() =>
        {
            foreach (var run in runs)
            {
                Assert.That(run.Result.ExitCode, Is.EqualTo(0), run.Result.Stderr);
                Assert.That(run.Result.Stdout, Is.EqualTo(expected));
            }

            foreach (var run in parallelAfterWrite)
            {
                Assert.That(Count(run.Result), Is.EqualTo(2500));
            }
        });
        Assert.That(runs.Count(r => r.Result.Stderr.Contains("Read 2,000 new events from Kafka", StringComparison.Ordinal)), Is.EqualTo(1));
        AssertRead(Run("sql", CountSql), 0, 2500);
        Assert.That(Directory.GetDirectories(Path.Combine(CacheFolder(), "runs")), Is.Empty, "a run left its snapshot folder");
    }

    [Test]
    public void AnotherRunUpdating_IsWaitedFor()
    {
        Write(Events("a", 30));
        Run("sql", CountSql);
        Write(Events("b", 5));

        Task<AnalyticsOutcome> waiting;
        using (new FileStream(Path.Combine(CacheFolder(), "lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            waiting = Task.Run(() => Run("sql", CountSql));
            Thread.Sleep(1500);
            Assert.That(waiting.IsCompleted, Is.False, "the run did not wait for the cache's lock");
        }

        var outcome = waiting.Result;
        Assert.That(Count(outcome), Is.EqualTo(35));
        Assert.That(outcome.Stderr, Does.Contain("Waiting for another run to finish updating the cache"));
    }

    // Run folders are told apart by their lease, not by a process id: a run in another container (another
    // process-id namespace) has an id this one cannot see, and a killed run's id may be reused.
    [Test]
    public void RunFolders_RemovedWhenTheirLeaseIsFree_KeptWhileHeld()
    {
        Write(Events("a", 3));
        Run("sql", CountSql);
        var runs = Directory.CreateDirectory(Path.Combine(CacheFolder(), "runs")).FullName;
        var elsewhere = Directory.CreateDirectory(Path.Combine(runs, $"999999-{Guid.NewGuid():N}")).FullName; // an id not running here
        var killed = Directory.CreateDirectory(Path.Combine(runs, $"{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName; // an id running here
        using var held = new FileStream(Path.Combine(elsewhere, ".lock"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        File.WriteAllText(Path.Combine(killed, ".lock"), "");
        Write(Events("b", 2));

        AssertRead(Run("sql", CountSql), fromKafka: 2, fromCache: 3);

        Assert.That(Directory.Exists(elsewhere), Is.True, "a live run's folder was removed");
        Assert.That(Directory.Exists(killed), Is.False, "an abandoned folder was kept");
    }

    [Test]
    public void CrashLeftovers_Ignored()
    {
        Write(Events("a", 40));
        Run("sql", CountSql);
        var folder = CacheFolder();

        // What a run killed while updating leaves: ids written past what the manifest covers, a segment
        // the manifest does not name, a half-written manifest next to the real one.
        var ids = Directory.GetFiles(folder, "ids-*.bin").Single();
        File.AppendAllText(ids, "garbage that is no event_id");
        File.WriteAllText(Path.Combine(folder, $"segment-{Guid.NewGuid():N}.jsonl"), """{"event_type":"ghost","event_id":"ghost"}""" + "\n");
        File.WriteAllText(Path.Combine(folder, $"manifest-{Guid.NewGuid():N}.tmp"), "{\"Version\":");
        Write(Events("b", 10));

        var outcome = Run("sql", "SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE event_type = 'ghost') AS ghosts FROM events");

        AssertRead(outcome, 10, 40);
        Assert.That((long)outcome.JsonRows[0]["n"]!, Is.EqualTo(50));
        Assert.That((long)outcome.JsonRows[0]["ghosts"]!, Is.Zero);
        Assert.That(Directory.GetFiles(folder, "segment-*.jsonl"), Has.Length.EqualTo(2), "the orphan segment was not removed");
    }

    [Test]
    public void DamagedSegment_Rebuilt()
    {
        Write(Events("a", 40));
        Run("sql", CountSql);
        var segment = Directory.GetFiles(CacheFolder(), "segment-*.jsonl").Single();
        File.WriteAllText(segment, """{"event_type":"ghost"}""" + "\n");

        var outcome = Run("sql", CountSql);

        Assert.That(outcome.Stderr, Does.Contain("Rebuilding the cache: some of its files are missing or damaged"));
        Assert.That(Count(outcome), Is.EqualTo(40));
    }

    [Test]
    public void TruncatedFingerprints_Rebuilt_ResendsStillCountedOnce()
    {
        var events = Events("a", 40).ToList();
        Write(events);
        Run("sql", CountSql);
        var fingerprints = Directory.GetFiles(CacheFolder(), "fingerprints-*.bin").Single();
        Assert.That(new FileInfo(fingerprints).Length, Is.EqualTo(40 * sizeof(ulong)), "one fingerprint per event_id");
        using (var file = new FileStream(fingerprints, FileMode.Open))
        {
            file.SetLength(8);
        }

        Write(events.Take(5)); // resent
        var outcome = Run("sql", CountSql);

        Assert.That(outcome.Stderr, Does.Contain("Rebuilding the cache: some of its files are missing or damaged"));
        Assert.That(Count(outcome), Is.EqualTo(40));
    }

    [Test]
    public void ManySmallUpdates_Compacted_SameAnswer()
    {
        for (var i = 0; i < 12; i++)
        {
            Write(Events($"r{i}", 7));
            Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(7 * (i + 1)));
        }

        Assert.That(Directory.GetFiles(CacheFolder(), "segment-*.jsonl"), Has.Length.LessThanOrEqualTo(8));
        Assert.That(Run("report").Stdout, Is.EqualTo(RunWithoutCache("report").Stdout));
    }

    [Test]
    public void TopicMissing_ThenCreated_ReadsIt()
    {
        var missing = Run("--topic", "later", "sql", CountSql);
        _broker.CreateTopic("later", 1);
        TopicWriter.Write(_broker.BootstrapServers, "later", Events("a", 5));

        var created = Run("--topic", "later", "sql", CountSql);

        Assert.That(Count(missing), Is.Zero);
        Assert.That(missing.Stderr, Does.Contain("does not exist"));
        Assert.That(Count(created), Is.EqualTo(5));
    }

    [Test]
    public void TwoClusters_SameTopicName_NeverMixed()
    {
        Write(Events("one", 10));
        using var other = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        other.CreateTopic(Topic, 1);
        TopicWriter.Write(other.BootstrapServers, Topic, Events("two", 3));

        Assert.That(Count(Run("sql", CountSql)), Is.EqualTo(10));
        var fromOther = AnalyticsRunner.Run("sql", CountSql, "--bootstrap-servers", other.BootstrapServers, "--cache-dir", _cache, "--format", "json");
        Assert.That(Count(fromOther), Is.EqualTo(3));
        Assert.That(Directory.GetDirectories(_cache), Has.Length.EqualTo(2));
    }

    private string CacheFolder() => Directory.GetDirectories(_cache).Single();
}
