using GameApi.Analytics.Spark;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>
/// The analytics with --engine spark, against the stand-in server. Spark's Kafka source cannot run
/// here: the stand-in records the statements that build the views and serves a fixture table as
/// <c>events</c>. What this proves: the commands, the report's SQL and the results travel the Spark
/// Connect wire path; the view statements themselves are checked as text below.
/// </summary>
public class SparkEngineTests
{
    private StandInSparkConnectServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await StandInSparkConnectServer.StartAsync();
        var behaviour = _server.Behaviour;
        behaviour.Substitutions["CREATE OR REPLACE TEMPORARY VIEW kafka_raw"] = null;
        behaviour.Substitutions["CREATE OR REPLACE TEMPORARY VIEW events"] = "CREATE OR REPLACE VIEW events AS SELECT * FROM fixture_events";
        behaviour.Substitutions["CACHE TABLE events"] = null;
        using var client = new SparkConnectClient(SparkConnectionString.Parse($"sc://{_server.Address}"), TimeSpan.FromSeconds(5));
        client.Sql("""
            CREATE TABLE fixture_events AS SELECT * FROM (VALUES
              ('purchase_item', 'sword', NULL, 'a', 'GameClient/1'),
              ('purchase_item', 'missing', NULL, 'b', 'GameClient/1'),
              ('join_guild', NULL, '7', 'c', 'GameClient/2'),
              ('join_guild', NULL, 'invalid', 'd', NULL),
              ('default', NULL, NULL, 'e', 'GameClient/2'))
              AS t(event_type, item, guild_id, event_id, user_agent)
            """);
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private AnalyticsOutcome Run(params string[] args) =>
        AnalyticsRunner.Run([.. args, "--engine", "spark", "--spark-remote", $"sc://{_server.Address}", "--bootstrap-servers", "broker:19092", "--format", "json"]);

    [Test]
    public void Report_SameNumbersOverSparkConnect()
    {
        var outcome = Run("report");

        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        Assert.That(outcome.JsonObject["events_per_type"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """[{"event_type":"join_guild","events":2},{"event_type":"purchase_item","events":2},{"event_type":"default","events":1}]"""));
        Assert.That(outcome.JsonObject["guild_joins_per_guild"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            """[{"guild_id":"7","events":1},{"guild_id":"invalid","events":1}]"""));
        Assert.That(_server.Behaviour.Substituted.Where(s => s.Contains("'kafka.bootstrap.servers' = 'broker:19092'", StringComparison.Ordinal)), Is.Not.Empty);
    }

    [Test]
    public void Sql_PassedThrough()
    {
        var rows = Run("sql", "SELECT event_id FROM events WHERE user_agent = 'GameClient/2' ORDER BY event_id").JsonRows;

        Assert.That(rows.Select(r => r["event_id"]!.ToString()), Is.EqualTo(new[] { "c", "e" }));
    }

    [Test]
    public void Schema_ColumnsOfTheView()
    {
        var outcome = Run("schema");
        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Stderr);
        var rows = outcome.JsonRows;

        Assert.That(rows.Select(r => r["column"]!.ToString()), Is.EqualTo(new[] { "event_type", "item", "guild_id", "event_id", "user_agent" }));
        Assert.That(rows.Single(r => r["column"]!.ToString() == "item")["events"]!.ToObject<long>(), Is.EqualTo(2));
    }

    [Test]
    public void SqlError_Exit2WithSparksMessage()
    {
        var outcome = Run("sql", "SELECT nope FROM events");

        Assert.That(outcome.ExitCode, Is.EqualTo(2));
        Assert.That(outcome.Stderr, Does.Contain("nope").And.Contain("SQLSTATE"));
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
    public void BadUsage_Exit2(string option, string value) =>
        Assert.That(AnalyticsRunner.Run("report", "--engine", "spark", option, value).ExitCode, Is.EqualTo(2));

    [Test]
    public void EventsViewStatements_AreWhatTheKafkaSourceAccepts()
    {
        var statements = SparkEventsSql.Statements("broker:19092", "game's events");

        Assert.That(statements[0], Is.EqualTo(
            "CREATE OR REPLACE TEMPORARY VIEW kafka_raw USING kafka OPTIONS ('kafka.bootstrap.servers' = 'broker:19092', "
            + "'subscribe' = 'game\\'s events', 'startingOffsets' = 'earliest', 'endingOffsets' = 'latest')"));
        Assert.That(statements[1], Does.StartWith("CREATE OR REPLACE TEMPORARY VIEW events AS SELECT `event_type`, `item`, `guild_id`, `event_id`, `timestamp`, `host`, `user_agent`, `accept`, kafka_partition, kafka_offset, kafka_timestamp FROM ("));
        Assert.That(statements[1], Does.Contain("FROM (SELECT CAST(value AS STRING) AS json, partition AS kafka_partition, offset AS kafka_offset, timestamp AS kafka_timestamp FROM kafka_raw) AS r"));
        Assert.That(statements[1], Does.Contain("LATERAL VIEW json_tuple(r.json, 'event_type', 'item', 'guild_id', 'event_id', 'timestamp', 'Host', 'User-Agent', 'Accept') j AS `event_type`, `item`, `guild_id`, `event_id`, `timestamp`, `host`, `user_agent`, `accept`"));
        Assert.That(statements[1], Does.Contain("PARTITION BY coalesce(j.`event_id`, concat('record ', r.kafka_partition, '/', r.kafka_offset))"));
        Assert.That(statements[1], Does.EndWith("WHERE ltrim(r.json) LIKE '{%' AND get_json_object(r.json, '$') IS NOT NULL) AS deduplicated WHERE gameapi_copy = 1"));
        Assert.That(statements[2], Is.EqualTo("CACHE TABLE events"));
    }
}
