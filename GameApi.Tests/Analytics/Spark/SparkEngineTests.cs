using System.Diagnostics;
using GameApi.Analytics.Cli;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;
using GameApi.Analytics.Spark.Protocol;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>
/// The analytics with --engine spark against the stand-in server, which serves <see cref="Records"/> as a
/// Kafka topic, infers their schema with Spark's rules and records what the client sends. The events view
/// itself (from_json, RLIKE: Spark SQL DuckDB cannot run) is substituted by the embedded engine's view over
/// the same records, and its text is pinned in <see cref="BuildEvents_FromJsonWithEachKeysType_RenamedByPosition_EachEventIdOnce"/>.
/// </summary>
public class SparkEngineTests
{
    // The original's flaw, and every kind of value: fields that appear late, a header outside any list,
    // mixed kinds, nested values, a number beyond 64 bits, junk, a resent event.
    private static readonly string[] Records =
    [
        """{"event_type":"default","event_id":"a","timestamp":"2026-12-01T10:00:00.000Z"}""",
        """{"event_type":"purchase_item","item":"sword","event_id":"b","timestamp":"2026-12-01T10:00:01.000+01:00","User-Agent":"GameClient/1","Host":"h"}""",
        """{"event_type":"join_guild","guild_id":7,"event_id":"c","User-Agent":"GameClient/2","X-Game-Version":"1.4.2"}""",
        """{"event_type":"join_guild","guild_id":"invalid","event_id":"d","meta":{"tags":["x"]},"score":2.5,"beta":true}""",
        """{"event_type":"purchase_item","item":"missing","event_id":"e","huge":123456789012345678901234,"count":3}""",
        "not json",
        "[1,2]",
        """{"event_type":"purchase_item","item":"sword","event_id":"b","timestamp":"2026-12-01T10:00:01.000+01:00","User-Agent":"GameClient/1","Host":"h"}""",
        """{"event_type":"default","event_id":"f","X-Late-Field":"only in the last record"}""",
    ];

    private StandInSparkConnectServer _server = null!;
    private string _file = null!;

    [OneTimeSetUp]
    public void WriteRecords() => _file = AnalyticsRunner.WriteLines(Records);

    [OneTimeTearDown]
    public void DeleteRecords() => File.Delete(_file);

    [SetUp]
    public async Task StartServer()
    {
        _server = await StandInSparkConnectServer.StartAsync();
        _server.ServeEvents(Records);
    }

    [TearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private string Remote => $"sc://{_server.Address}";

    private AnalyticsOutcome Run(params string[] args) => Run(null, args);

    private AnalyticsOutcome Run(Interruption? interruption, params string[] args) => RunAt(Remote, interruption, args);

    // The command over these records on the stand-in Spark server, and on the embedded engine from a file.
    private (AnalyticsOutcome Spark, AnalyticsOutcome Embedded) RunOnBothEngines(string[] records, string command)
    {
        _server.ServeEvents(records);
        var file = AnalyticsRunner.WriteLines(records);
        try
        {
            return (Run(command), AnalyticsRunner.Run(command, "--input", file, "--format", "json"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static AnalyticsOutcome RunAt(string remote, Interruption? interruption, params string[] args) =>
        AnalyticsRunner.Run(interruption, [.. args, "--engine", "spark", "--spark-remote", remote, "--bootstrap-servers", "broker:19092", "--format", "json", "--timeout", "2"]);

    private static string Json(JToken token) => token.ToString(Newtonsoft.Json.Formatting.None);

    [Test]
    public void Schema_TheEmbeddedEnginesTable_ForTheSameEvents()
    {
        var spark = Run("schema");
        var embedded = AnalyticsRunner.Run("schema", "--input", _file, "--format", "json");

        Assert.That(spark.ExitCode, Is.EqualTo(0), spark.Stderr);
        Assert.That(Json(spark.JsonRows), Is.EqualTo(Json(embedded.JsonRows)));
        Assert.That(spark.JsonRows.Select(r => (string)r["column"]!), Is.SupersetOf(new[] { "x_game_version", "x_late_field", "meta", "huge", "score", "beta" }));
        Assert.That(spark.JsonRows.Select(r => $"{r["column"]} {r["type"]}"), Is.SupersetOf(new[]
        {
            "guild_id text", "meta text", "count integer", "huge float", "score float", "beta boolean", "timestamp timestamp", "kafka_timestamp timestamp",
        }));
    }

    [Test]
    public void Schema_KeywordNamedFields_CountedAsColumns_AsOnTheEmbeddedEngine()
    {
        string[] records =
        [
            """{"event_type":"a","null":"x","true":1,"false":2,"distinct":"d","case":"c"}""",
            """{"event_type":"b"}""",
        ];
        var (spark, embedded) = RunOnBothEngines(records, "schema");

        Assert.That(spark.ExitCode, Is.EqualTo(0), spark.Stderr);
        Assert.That(Json(spark.JsonRows), Is.EqualTo(Json(embedded.JsonRows)));
        Assert.That(spark.JsonRows.Where(r => (string)r["column"]! is "null" or "true" or "false" or "distinct" or "case").Select(r => (long)r["events"]!),
            Is.EqualTo(new[] { 1L, 1L, 1L, 1L, 1L }));
    }

    // COUNT(column) on both: Spark's table has NULL for a JSON null and for a time it cannot parse.
    [Test]
    public void Schema_NullsAndOddTimesNotCounted_AsOnTheEmbeddedEngine()
    {
        string[] records =
        [
            """{"event_type":"a","item":null,"timestamp":"garbage"}""",
            """{"event_type":"b","item":"sword","timestamp":"2026-12-01T10:00:00Z"}""",
            """{"event_type":"c","timestamp":null}""",
        ];
        var (spark, embedded) = RunOnBothEngines(records, "schema");

        Assert.That(spark.ExitCode, Is.EqualTo(0), spark.Stderr);
        Assert.That(Json(spark.JsonRows), Is.EqualTo(Json(embedded.JsonRows)));
        Assert.That(spark.JsonRows.Where(r => (string)r["column"]! is "item" or "timestamp").Select(r => (long)r["events"]!), Is.EqualTo(new[] { 1L, 1L }));
    }

    [Test]
    public void Load_SparkInfersTheSchemaFromEveryRecordOfOneCachedSnapshot()
    {
        var outcome = Run("schema");
        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);

        var commands = _server.Behaviour.Requests.Where(r => r.Plan.OpTypeCase == Plan.OpTypeOneofCase.Command).Select(r => r.Plan.Command.SqlCommand.Sql).ToList();
        Assert.That(commands.Take(4), Is.EqualTo(SparkEventsSql.ReadTopic("broker:19092", "events")));
        Assert.That(commands[3], Is.EqualTo("CACHE TABLE gameapi_records AS SELECT CAST(value AS STRING) AS json, partition, `offset`, timestamp FROM gameapi_kafka"));
        var parse = _server.Behaviour.Analyses.Single(a => a.AnalyzeCase == AnalyzePlanRequest.AnalyzeOneofCase.Schema).Schema.Plan.Root.Parse;
        Assert.That(parse.Format, Is.EqualTo(Parse.Types.ParseFormat.Json));
        Assert.That(parse.Options, Is.EquivalentTo(new Dictionary<string, string> { ["mode"] = "DROPMALFORMED" }));
        Assert.That(parse.Schema, Is.Null, "no schema: Spark infers it");
        Assert.That(parse.Input.Sql.Query, Does.StartWith("SELECT json FROM gameapi_records WHERE "));
        Assert.That(outcome.Stderr, Does.Contain("Skipped 2 messages that are not JSON objects.").And.Contain("Counted 1 resent event once"));
    }

    [Test]
    public void KeysDifferingOnlyInCase_InferredCaseSensitively_EverySpellingRead()
    {
        _server.ServeEvents(["""{"event_type":"a","Host":"A"}""", """{"event_type":"b","host":"b"}"""]);

        var outcome = Run("sql", "SELECT COUNT(*) AS n FROM events");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        var sent = _server.Behaviour.Requests.Where(r => r.Plan.OpTypeCase == Plan.OpTypeOneofCase.Command).Select(r => r.Plan.Command.SqlCommand.Sql).ToList();
        var view = sent.Single(s => s.StartsWith("CREATE OR REPLACE TEMPORARY VIEW gameapi_events", StringComparison.Ordinal));
        Assert.That(view, Does.Contain("`Host` STRING, `host` STRING").And.Contain("coalesce(f6, f7) AS `host`"));
        Assert.That(sent.IndexOf("SET spark.sql.caseSensitive = true"), Is.LessThan(sent.IndexOf(view)).And.GreaterThanOrEqualTo(0));
        Assert.That(sent.IndexOf("RESET spark.sql.caseSensitive"), Is.GreaterThan(sent.IndexOf(view)));
        Assert.That(_server.Behaviour.Conf, Does.Not.ContainKey("spark.sql.caseSensitive"), "the user's queries run with Spark's default");
    }

    [Test]
    public void BuildEvents_FromJsonWithEachKeysType_RenamedByPosition_EachEventIdOnce()
    {
        var schema = EventSchema.From(
            [new("event_type", FieldKinds.String), new("user_agent", FieldKinds.Integer), new("count", FieldKinds.Integer), new("meta", FieldKinds.Nested), new("timestamp", FieldKinds.String)],
            new Dictionary<string, long>(),
            0);

        var statements = SparkEventsSql.BuildEvents(schema);
        var (view, events, cache) = (statements[0], statements[1], statements[2]);

        Assert.That(view, Does.StartWith("CREATE OR REPLACE TEMPORARY VIEW gameapi_events AS SELECT `event_type`, `item`, `guild_id`, `event_id`, `timestamp`, `user_agent`, `host`, `count`, `meta`, `kafka_partition`, `kafka_offset`, `kafka_timestamp` FROM ("));
        Assert.That(view, Does.Contain(
            "from_json(json, '`event_type` STRING, `item` STRING, `guild_id` STRING, `event_id` STRING, `timestamp` STRING, `User-Agent` BIGINT, `user_agent` BIGINT, `Host` STRING, `count` BIGINT, `meta` STRING') AS j"));
        Assert.That(view, Does.Contain("AS r(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, kafka_partition, kafka_offset, kafka_timestamp)"));
        Assert.That(view, Does.Contain("f0 AS `event_type`, f1 AS `item`").And.Contain(
            "CASE WHEN CASE WHEN f4 RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN try_cast(f4 AS TIMESTAMP) END BETWEEN TIMESTAMP '0001-01-01 00:00:00.000000' AND TIMESTAMP '9999-12-31 23:59:59.999999' "
            + "THEN CASE WHEN f4 RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN try_cast(f4 AS TIMESTAMP) END END AS `timestamp`").And.Contain("coalesce(f5, f6) AS `user_agent`"));
        Assert.That(view, Does.Contain("kafka_partition AS `kafka_partition`, kafka_offset AS `kafka_offset`, "
            + "CASE WHEN kafka_timestamp BETWEEN TIMESTAMP '0001-01-01 00:00:00.000000' AND TIMESTAMP '9999-12-31 23:59:59.999999' THEN kafka_timestamp END AS `kafka_timestamp`"));
        Assert.That(view, Does.Contain("PARTITION BY coalesce(CAST(f3 AS STRING), concat('record ', kafka_partition, '/', kafka_offset)) ORDER BY kafka_partition, kafka_offset"));
        Assert.That(view, Does.Contain("FROM gameapi_records WHERE json RLIKE '^[ \\t\\n\\r]*[{]' AND get_json_object(json, '$') IS NOT NULL"));
        Assert.That(view, Does.EndWith("WHERE gameapi_copy = 1"));
        Assert.That(events, Is.EqualTo("CREATE OR REPLACE TEMPORARY VIEW events AS SELECT * FROM gameapi_events"));
        Assert.That(cache, Is.EqualTo("CACHE TABLE events"));
    }

    // The embedded engine counts resent events before the window (EventSnapshot.Duplicates); counted against
    // the windowed events, every event outside the window was announced as resent.
    [Test]
    public void TimeWindow_ResentEventsCountedBeforeIt_SameEventsAsTheEmbeddedEngine()
    {
        // Only "a" (10:00:00Z) is in it: "b" is 09:00:01Z, the others have no timestamp.
        string[] window = ["--since", "2026-12-01T09:30:00Z"];

        var spark = Run(["sql", "SELECT event_id FROM events ORDER BY event_id", .. window]);
        var embedded = AnalyticsRunner.Run(["sql", "SELECT event_id FROM events ORDER BY event_id", "--input", _file, "--format", "json", .. window]);

        Assert.That(spark.ExitCode, Is.EqualTo(0), spark.Stderr);
        Assert.That(Json(spark.JsonRows), Is.EqualTo(Json(embedded.JsonRows)).And.EqualTo("""[{"event_id":"a"}]"""));
        Assert.That(spark.Stderr, Does.Contain("Counted 1 resent event once (same event_id)."));
        Assert.That(_server.Behaviour.Requests.Select(r => r.Plan.Command?.SqlCommand?.Sql), Has.Some.EqualTo(
            "CREATE OR REPLACE TEMPORARY VIEW events AS SELECT * FROM gameapi_events WHERE `timestamp` >= TIMESTAMP '2026-12-01 09:30:00.000000'"));
    }

    [Test]
    public void BuildEvents_KeysQuotedForSpark()
    {
        var view = SparkEventsSql.BuildEvents(EventSchema.From([new("it's `odd`", FieldKinds.String)], new Dictionary<string, long>(), 0))[0];

        Assert.That(view, Does.Contain("`it\\'s ``odd``` STRING").And.Contain("AS `it_s_odd`"));
    }

    [Test]
    public void Report_SameAsTheEmbeddedEngine()
    {
        var spark = Run("report");
        var embedded = AnalyticsRunner.Run("report", "--input", _file, "--format", "json");

        Assert.That(spark.ExitCode, Is.EqualTo(0), spark.Stderr);
        Assert.That(Json(spark.JsonObject), Is.EqualTo(Json(embedded.JsonObject)));
    }

    // Spark sorts NULL first in ascending order, DuckDB last: a purchase without an item, tied with one
    // with an item, must be in the same place on both.
    [Test]
    public void Report_NullValueTiedWithAValue_InTheSamePlaceAsOnTheEmbeddedEngine()
    {
        string[] records =
        [
            """{"event_type":"purchase_item","item":"sword","event_id":"p1"}""",
            """{"event_type":"purchase_item","event_id":"p2"}""",
            """{"event_type":"join_guild","guild_id":"g","event_id":"j1"}""",
            """{"event_type":"join_guild","event_id":"j2"}""",
        ];
        var (spark, embedded) = RunOnBothEngines(records, "report");

        Assert.That(spark.ExitCode, Is.EqualTo(0), spark.Stderr);
        Assert.That(Json(spark.JsonObject), Is.EqualTo(Json(embedded.JsonObject)));
        Assert.That(Json(spark.JsonObject["purchases_per_item"]!), Is.EqualTo("""[{"item":"sword","events":1},{"item":null,"events":1}]"""));
    }

    [TestCase(SparkVersion.V40)]
    [TestCase(SparkVersion.V35)]
    public void Run_LeavesNothingCached_AndReleasesTheSessionWhereSparkCan(SparkVersion version)
    {
        _server.Behaviour.Version = version;

        var outcome = Run("report");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(_server.Behaviour.Cached, Is.Empty);
        Assert.That(_server.Behaviour.Released, version == SparkVersion.V40 ? Has.Count.EqualTo(1) : Is.Empty);
    }

    // A session named with session_id: CACHE TABLE ... AS would meet the last run's view (3.5 keeps the
    // session; so does 4.x, which must not release it, or the id is refused from then on).
    [TestCase(SparkVersion.V40)]
    [TestCase(SparkVersion.V35)]
    public void Rerun_SameSessionId_WorksEachTime_SessionKeptAndLeftEmpty(SparkVersion version)
    {
        _server.Behaviour.Version = version;
        var session = Guid.NewGuid().ToString("D");
        var remote = $"{Remote}/;session_id={session}";

        var first = RunAt(remote, null, "sql", "SELECT COUNT(*) AS n FROM events");
        var second = RunAt(remote, null, "sql", "SELECT COUNT(*) AS n FROM events");

        Assert.That(first.ExitCode, Is.EqualTo(0), first.Stderr);
        Assert.That(second.ExitCode, Is.EqualTo(0), second.Stderr);
        Assert.That((long)second.JsonRows[0]["n"]!, Is.EqualTo(6));
        Assert.That(_server.Behaviour.Requests.Select(r => r.SessionId).Distinct(), Is.EqualTo(new[] { session }));
        Assert.That(_server.Behaviour.Released, Is.Empty, "a session the user named is not ended");
        Assert.That(_server.Behaviour.Sessions, Does.Contain(session));
        Assert.That(_server.Behaviour.Cached, Is.Empty);
        Assert.That(_server.Behaviour.Objects(session), Is.Empty, "the run's views are dropped");
    }

    [Test]
    public void ReleasedSessionId_Exit1SayingToChooseAnother()
    {
        var session = Guid.NewGuid().ToString("D");
        using (var earlier = new SparkConnectClient(SparkConnectionString.Parse($"{Remote}/;session_id={session}") with { SessionIdGiven = false }, TimeSpan.FromSeconds(2)))
        {
            earlier.Connect();
            earlier.Release(); // as this program did up to now, or another client
        }

        var outcome = RunAt($"{Remote}/;session_id={session}", null, "report");

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain($"refuses the session {session} (INVALID_HANDLE.SESSION_CLOSED)").And.Contain("Give another session_id"));
    }

    [Test]
    public void SqlError_Exit2_AndStillCleansUp()
    {
        var outcome = Run("sql", "SELECT nope FROM events");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain("nope"));
        Assert.That(_server.Behaviour.Cached, Is.Empty);
        Assert.That(_server.Behaviour.Released, Has.Count.EqualTo(1));
    }

    [TestCase(SparkVersion.V40)]
    [TestCase(SparkVersion.V35)]
    public void KafkaTopicMissing_Exit1NamingKafkaAndTheTopic(SparkVersion version)
    {
        _server.Behaviour.Version = version;

        var outcome = Run("report", "--topic", "no_such_topic");

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Spark could not read the topic 'no_such_topic' from Kafka at broker:19092").And.Contain("UnknownTopicOrPartitionException"));
        Assert.That(_server.Behaviour.Cached, Is.Empty);
    }

    [Test]
    public void KafkaUnreachableFromSpark_Exit1NamingKafka()
    {
        _server.Behaviour.KafkaUnreachable = true;

        var outcome = Run("report");

        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Spark could not read the topic 'events' from Kafka at broker:19092").And.Contain("Timed out waiting for a node assignment"));
        Assert.That(_server.Behaviour.Cached, Is.Empty);
    }

    [TestCase(SparkVersion.V35)]
    [TestCase(SparkVersion.V40)]
    public void WorkLongerThanTheTimeout_WaitedFor(SparkVersion version)
    {
        _server.Behaviour.Version = version;
        _server.Behaviour.SlowCommand = "CACHE TABLE gameapi_records"; // reading the topic
        _server.Behaviour.WorkTime = TimeSpan.FromSeconds(5); // --timeout is 2 s

        var outcome = Run("sql", "SELECT COUNT(*) AS n FROM events");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That((long)outcome.JsonRows[0]["n"]!, Is.EqualTo(6));
    }

    [Test]
    public void CtrlC_InterruptsTheOperationOnTheServer_CleansUp_Exit130()
    {
        _server.Behaviour.Version = SparkVersion.V35; // silent while it works
        _server.Behaviour.WorkTime = TimeSpan.FromMinutes(5); // the topic's read, say
        using var interruption = new Interruption();
        var run = Task.Run(() => Run(interruption, "report"));
        var clock = Stopwatch.StartNew();
        while (_server.Behaviour.Requests.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }

        Thread.Sleep(200);
        _server.Behaviour.WorkTime = TimeSpan.Zero; // what follows (the clean-up) is quick
        Assert.That(interruption.Request(), Is.True);
        var outcome = run.Wait(TimeSpan.FromSeconds(10)) ? run.Result : throw new AssertionException("Still running 10 s after Ctrl+C.");

        Assert.That(outcome.ExitCode, Is.EqualTo(130), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.Contain("Interrupted."));
        Assert.That(_server.Behaviour.Interrupted, Is.Not.Empty);
        Assert.That(_server.Behaviour.Requests.Select(r => r.OperationId), Does.Contain(_server.Behaviour.Interrupted[0]));
        Assert.That(_server.Behaviour.Requests.Select(r => r.Plan.Command?.SqlCommand?.Sql), Has.Some.EqualTo("DROP VIEW IF EXISTS gameapi_records"));
        Assert.That(_server.Behaviour.Cached, Is.Empty);
    }

    [Test]
    public void Sql_SeveralStatements_EachSentAlone_LastResultShown()
    {
        var outcome = Run("sql", "CREATE OR REPLACE TEMPORARY VIEW answers AS SELECT 'a;b' AS x /* ; */; -- ;\nSELECT x FROM answers;");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That((string)outcome.JsonRows.Single()["x"]!, Is.EqualTo("a;b"));
        var sent = _server.Behaviour.Requests.Select(r => r.Plan.Command?.SqlCommand?.Sql).Where(s => s is not null && s.Contains("answers", StringComparison.Ordinal)).ToList();
        Assert.That(sent, Is.EqualTo(new[] { "CREATE OR REPLACE TEMPORARY VIEW answers AS SELECT 'a;b' AS x /* ; */", "-- ;\nSELECT x FROM answers" }));
    }

    [Test]
    public void Describe_EagerOnTheServer_RowsSentBackAsALocalRelation()
    {
        var outcome = Run("sql", "DESCRIBE events");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(((JObject)outcome.JsonRows[0]).Properties().Select(p => p.Name), Is.EqualTo(new[] { "col_name", "data_type", "comment" }));
        Assert.That(_server.Behaviour.Requests.Where(r => r.Plan.OpTypeCase == Plan.OpTypeOneofCase.Root).Select(r => r.Plan.Root.RelTypeCase),
            Has.Some.EqualTo(Relation.RelTypeOneofCase.LocalRelation));
    }

    [Test]
    public void Commands_OutputAsSparkGivesIt_SetShowsKeyAndValue_DdlSaysDone()
    {
        var set = Run("sql", "SET spark.sql.ansi.enabled = true");
        var create = Run("sql", "CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 1 AS a");

        Assert.That(Json(set.JsonRows), Is.EqualTo("""[{"key":"spark.sql.ansi.enabled","value":"true"}]"""));
        Assert.That(create.ExitCode, Is.EqualTo(0), create.Stderr);
        Assert.That(create.Stderr, Does.Contain("Done: the statement returns no result."));
    }

    [Test]
    public void Unreachable_Exit1NamingTheAddress()
    {
        var outcome = AnalyticsRunner.Run("report", "--engine", "spark", "--spark-remote", "sc://127.0.0.1:1", "--timeout", "2");

        Assert.That(outcome.ExitCode, Is.EqualTo(1));
        Assert.That(outcome.Stderr, Does.Contain("sc://127.0.0.1:1"));
    }

    [TestCase("--input", "events.jsonl")]
    [TestCase("--spark-remote", "http://wrong")]
    [TestCase("--spark-remote", "sc://localhost/;X-Team=games")]
    [TestCase("--spark-remote", "sc://localhost/;grpc-timeout=1")]
    [TestCase("--spark-remote", "sc://localhost/;grpc_max_message_size=lots")]
    public void BadUsage_Exit2(string option, string value)
    {
        var outcome = AnalyticsRunner.Run("report", "--engine", "spark", option, value);

        Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.StartWith("error: "));
    }
}
