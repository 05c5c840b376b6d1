using System.Diagnostics;
using System.Net;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;
using GameApi.Analytics.Spark.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

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
        _server.Behaviour.Version = SparkVersion.V40;
        _server.Behaviour.Token = null;
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
        var plans = _server.Behaviour.Requests.Select(r => r.Plan.OpTypeCase == Plan.OpTypeOneofCase.Command ? "command" : r.Plan.Root.RelTypeCase.ToString()).ToList();
        Assert.That(plans, Is.EqualTo(new[] { "command", "LocalRelation", "command", "Sql" }));
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
    public void Sql_ServerError40_MessageOnce_WithItsSqlState_AndTheExceptionClass()
    {
        var error = Assert.Throws<SqlException>(() => _client.Sql("SELECT no_such_column"));

        Assert.That(error!.Message, Does.StartWith("[UNRESOLVED_COLUMN.WITH_SUGGESTION]").And.Contain("no_such_column").And.EndWith("SQLSTATE: 42703 (org.apache.spark.sql.AnalysisException)"));
        Assert.That(error.Message.Split("SQLSTATE"), Has.Length.EqualTo(2), "the state once");
        Assert.That(error.Message.Split("UNRESOLVED_COLUMN"), Has.Length.EqualTo(2), "the class once");
    }

    // Spark's ParseException message starts with a newline and holds the statement with a caret on lines
    // of their own: the first line is the error, then the statement.
    [TestCase(SparkVersion.V40, "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. SQLSTATE: 42601 (line 1, pos 0) (org.apache.spark.sql.catalyst.parser.ParseException)")]
    [TestCase(SparkVersion.V35, "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. (line 1, pos 0) (org.apache.spark.sql.catalyst.parser.ParseException)")]
    public void Sql_SyntaxError_ErrorOnTheFirstLine_ThenTheStatementWithACaret(SparkVersion version, string first)
    {
        _server.Behaviour.Version = version;

        var error = Assert.Throws<SqlException>(() => _client.Sql("SELEC 1"));

        Assert.That(error!.Message, Is.EqualTo($"{first}\n== SQL ==\nSELEC 1\n^^^"));
    }

    [Test]
    public void Sql_ServerError35_OnlyClasses_TheExceptionNamed()
    {
        _server.Behaviour.Version = SparkVersion.V35;

        var error = Assert.Throws<SqlException>(() => _client.Sql("SELECT no_such_column"));

        Assert.That(error!.Message, Does.Contain("no_such_column").And.EndWith("(org.apache.spark.sql.AnalysisException)").And.Not.Contain("SQLSTATE"));
    }

    [Test]
    public void Sql_ErrorLongerThanTheStatusMessage_WholeMessageFetchedByErrorId()
    {
        var name = "c" + new string('x', 3000);

        var error = Assert.Throws<SqlException>(() => _client.Sql($"SELECT {name}"));

        Assert.That(error!.Message, Does.Contain(name), "Spark cuts the status message at 2048 characters; FetchErrorDetails has it all");
    }

    [Test]
    public void Sql_EachOperationHasItsOwnLowercaseUuid()
    {
        _server.Behaviour.Requests.Clear();

        _client.Sql("SELECT 1");
        _client.Sql("SELECT 2");

        var ids = _server.Behaviour.Requests.Select(r => r.OperationId).ToList();
        Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
        Assert.That(ids, Has.All.Matches<string>(id => Guid.TryParseExact(id, "D", out _) && string.Equals(id, id.ToLowerInvariant(), StringComparison.Ordinal)));
    }

    [Test]
    public void Connect_ServerNeverAnswers_SourceExceptionWithinTheTimeout()
    {
        _server.Behaviour.NeverAnswer = true;
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<SourceException>(() => _client.Connect());

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(error!.Message, Does.Contain(_server.Address).And.Contain("within 2 s"));
    }

    // 4.x with spark.connect.authenticate.token refuses at once: not a server out of reach. (The token
    // implies TLS in an sc:// address; the stand-in is plain HTTP/2, so the address is built here.)
    [TestCase("wrong-secret", "Invalid authentication token")]
    [TestCase(null, "No authentication token provided")]
    public void Connect_TokenRefused_SourceExceptionSayingSo_WithoutTheToken(string? token, string detail)
    {
        _server.Behaviour.Token = "right-secret";
        using var client = new SparkConnectClient(SparkConnectionString.Parse($"sc://{_server.Address}") with { Token = token }, TimeSpan.FromSeconds(2));

        var error = Assert.Throws<SourceException>(() => client.Connect());

        Assert.That(error!.Message, Does.Contain($"sc://{_server.Address} refuses the credentials: {detail} (Unauthenticated)").And.Contain("token"));
        Assert.That(error.Message, Does.Not.Contain("within").And.Not.Contain("secret"));
    }

    [Test]
    public void Connect_RightToken_Answers()
    {
        _server.Behaviour.Token = "right-secret";
        using var client = new SparkConnectClient(SparkConnectionString.Parse($"sc://{_server.Address}") with { Token = "right-secret" }, TimeSpan.FromSeconds(2));

        Assert.That(client.Connect(), Does.Contain("stand-in"));
    }

    [Test]
    public void Sql_GrpcMaxMessageSize_LimitsWhatIsReceived()
    {
        using var small = new SparkConnectClient(SparkConnectionString.Parse($"sc://{_server.Address}/;grpc_max_message_size=1000"), TimeSpan.FromSeconds(2));

        Assert.That(small.Sql("SELECT 1 AS one").Rows.Single()[0], Is.EqualTo(1L));
        var error = Assert.Throws<SqlException>(() => small.Sql("SELECT repeat('x', 5000) AS big"));
        Assert.That(error!.Message, Does.Contain("exceeds the maximum"));
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

    // An HTTP/2 server that is not Spark Connect (a web server or a proxy on that port) answers 404, which
    // gRPC turns into UNIMPLEMENTED: a wrong address (exit 1), not a SQL error.
    [Test]
    public async Task Connect_HttpServerThatIsNotSparkConnect_SourceExceptionSayingSo()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        await using var web = builder.Build();
        web.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await web.StartAsync();
        var address = new Uri(web.Urls.First()).Authority;
        using var client = new SparkConnectClient(SparkConnectionString.Parse($"sc://{address}"), TimeSpan.FromSeconds(2));

        var error = Assert.Throws<SourceException>(() => client.Connect());

        Assert.That(error!.Message, Does.Contain($"sc://{address}").And.Contain("does not answer as a Spark Connect server").And.Contain("404"));
    }
}
