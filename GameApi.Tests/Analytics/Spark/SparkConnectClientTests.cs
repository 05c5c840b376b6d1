using System.Diagnostics;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;
using GameApi.Analytics.Spark.Protocol;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>The client's wire path against the stand-in server (DuckDB behind the Spark Connect protocol).</summary>
public class SparkConnectClientTests
{
    private StandInSparkConnectServer _server = null!;
    private SparkConnectClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await StandInSparkConnectServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void Connect()
    {
        _server.Behaviour.NeverAnswer = false;
        _server.Behaviour.RowsPerBatch = 1000;
        _client = new SparkConnectClient(SparkConnectionString.Parse($"sc://{_server.Address}/;user_id=tester;x-team=games"), TimeSpan.FromSeconds(2));
    }

    [TearDown]
    public void Disconnect() => _client.Dispose();

    [Test]
    public void Version_AnswersTheHandshake() => Assert.That(_client.Version(), Does.Contain("stand-in"));

    [Test]
    public void Sql_QueryOverSeveralArrowBatches_AllRowsInOrder()
    {
        _server.Behaviour.RowsPerBatch = 7;

        var result = _client.Sql("SELECT range AS n, 'row ' || range AS label FROM range(50)");

        Assert.That(result.Columns, Is.EqualTo(new[] { "n", "label" }));
        Assert.That(result.Rows.Select(r => (long)r[0]!), Is.EqualTo(Enumerable.Range(0, 50).Select(i => (long)i)));
        Assert.That(result.Rows[49][1], Is.EqualTo("row 49"));
    }

    [Test]
    public void Sql_EmptyResult_ColumnsAndNoRows()
    {
        var result = _client.Sql("SELECT 1 AS one WHERE false");

        Assert.That(result.Columns, Is.EqualTo(new[] { "one" }));
        Assert.That(result.Rows, Is.Empty);
    }

    [Test]
    public void Sql_CommandRunsAtOnce_QueryComesBackAsARelationAndIsExecuted()
    {
        _server.Behaviour.Requests.Clear();

        _client.Sql("CREATE OR REPLACE VIEW answers AS SELECT 42 AS answer");
        var result = _client.Sql("SELECT answer FROM answers");

        Assert.That(result.Rows.Single()[0], Is.EqualTo(42L));
        var plans = _server.Behaviour.Requests.Select(r => r.Plan.OpTypeCase).ToList();
        Assert.That(plans, Is.EqualTo(new[] { Plan.OpTypeOneofCase.Command, Plan.OpTypeOneofCase.Command, Plan.OpTypeOneofCase.Root }));
    }

    [Test]
    public void Sql_OneSessionForTheRun_WithUserContextAndHeaders()
    {
        _server.Behaviour.Requests.Clear();
        _server.Behaviour.Headers.Clear();

        _client.Sql("SELECT 1");
        _client.Sql("SELECT 2");

        var sessions = _server.Behaviour.Requests.Select(r => r.SessionId).Distinct().ToList();
        Assert.That(sessions, Has.Count.EqualTo(1));
        Assert.That(Guid.TryParseExact(sessions[0], "D", out _), Is.True);
        Assert.That(_server.Behaviour.Requests.Select(r => r.UserContext.UserId), Has.All.EqualTo("tester"));
        Assert.That(_server.Behaviour.Requests.Select(r => r.ClientType), Has.All.EqualTo("gameapi-analytics"));
        Assert.That(_server.Behaviour.Headers.Select(h => h.GetValue("x-team")), Has.All.EqualTo("games"));
    }

    [Test]
    public void Sql_ServerError_SqlExceptionWithMessageErrorClassAndSqlState()
    {
        var error = Assert.Throws<SqlException>(() => _client.Sql("SELECT no_such_column"));

        Assert.That(error!.Message, Does.Contain("no_such_column").And.Contain("UNRESOLVED_COLUMN.WITH_SUGGESTION").And.Contain("SQLSTATE 42703"));
    }

    [Test]
    public void Sql_ServerNeverAnswers_SourceExceptionWithinTheTimeout()
    {
        _server.Behaviour.NeverAnswer = true;
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<SourceException>(() => _client.Sql("SELECT 1"));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(error!.Message, Does.Contain(_server.Address).And.Contain("did not answer"));
    }

    [Test]
    public void Sql_NothingListening_SourceExceptionNamingTheAddress()
    {
        using var client = new SparkConnectClient(SparkConnectionString.Parse("sc://127.0.0.1:1"), TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<SourceException>(() => client.Sql("SELECT 1"));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(error!.Message, Does.Contain("sc://127.0.0.1:1"));
    }
}
