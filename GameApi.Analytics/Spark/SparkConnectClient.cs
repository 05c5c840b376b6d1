using System.Net.Http.Headers;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace GameApi.Analytics.Spark;

/// <summary>
/// A Spark Connect client for SQL: one session (a UUID, reused for the run, so temporary views persist),
/// non-reattachable ExecutePlan calls, results decoded from Arrow.
/// </summary>
/// <remarks>
/// The timeout bounds reaching the server (<see cref="Connect"/>: TCP, HTTP/2 and a first cheap call), not
/// the work: Spark 3.5 sends nothing while an eager command such as <c>CACHE TABLE</c> reads a large topic
/// (4.x sends <c>execution_progress</c> every 2 s), so a live server is waited for as long as the work
/// takes. A server that disappears without closing the connection is found by HTTP/2 keepalive pings.
/// </remarks>
public sealed class SparkConnectClient : IDisposable
{
    /// <summary>Spark's own default for gRPC messages (ConnectCommon.CONNECT_GRPC_MAX_MESSAGE_SIZE, 128 MiB).</summary>
    public const int DefaultMaxMessageBytes = 128 * 1024 * 1024;

    /// <summary>
    /// How long a connection may be silent before a ping asks whether the server is still there. grpc-java
    /// servers (Spark's) refuse pings more often than every 5 minutes by default (NettyServerBuilder's
    /// permitKeepAliveTime) and close a connection that keeps sending them, so the ping waits a little longer.
    /// </summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30);

    private readonly SparkConnectionString _address;
    private readonly TimeSpan _timeout;
    private readonly GrpcChannel _channel;
    private readonly SparkConnectService.SparkConnectServiceClient _service;
    private readonly Metadata _headers = [];

    /// <param name="timeout">How long to wait for the server to answer at all (not for a query to finish).</param>
    /// <param name="keepAlive">How long a silent connection is trusted before a ping (tests shorten it).</param>
    public SparkConnectClient(SparkConnectionString address, TimeSpan timeout, HttpMessageHandler? handler = null, TimeSpan? keepAlive = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        _address = address;
        _timeout = timeout;
        _channel = GrpcChannel.ForAddress(address.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler ?? new SocketsHttpHandler
            {
                ConnectTimeout = timeout,
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = keepAlive ?? DefaultKeepAlive,
                KeepAlivePingTimeout = timeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            },
            MaxReceiveMessageSize = address.MaxMessageBytes ?? DefaultMaxMessageBytes,
            MaxSendMessageSize = address.MaxMessageBytes ?? DefaultMaxMessageBytes,
        });
        _service = new SparkConnectService.SparkConnectServiceClient(_channel);
        foreach (var (key, value) in address.Headers)
        {
            _headers.Add(key, value);
        }

        if (address.Token is { } token)
        {
            _headers.Add("authorization", new AuthenticationHeaderValue("Bearer", token).ToString());
        }
    }

    private string SessionId => _address.SessionId.ToString("D");

    private UserContext User => new() { UserId = _address.UserId };

    /// <summary>Reaches the server within the timeout; returns its Spark version.</summary>
    /// <exception cref="SourceException">No answer within the timeout.</exception>
    public string Connect() => Version();

    /// <summary>The server's Spark version: a cheap way to check that it answers.</summary>
    public string Version()
    {
        var request = new AnalyzePlanRequest { SessionId = SessionId, UserContext = User, ClientType = _address.UserAgent, SparkVersion = new() };
        return Call(() => _service.AnalyzePlan(request, _headers, DateTime.UtcNow + _timeout).SparkVersion.Version);
    }

    /// <summary>The schema of a relation, as Spark analyses it (for a <see cref="Parse"/> relation: inferred from every row).</summary>
    public DataType Schema(Relation relation, CancellationToken cancellationToken = default)
    {
        var request = new AnalyzePlanRequest
        {
            SessionId = SessionId,
            UserContext = User,
            ClientType = _address.UserAgent,
            Schema = new AnalyzePlanRequest.Types.Schema { Plan = new Plan { Root = relation } },
        };
        return Call(() => _service.AnalyzePlan(request, _headers, cancellationToken: cancellationToken).Schema.Schema_, cancellationToken);
    }

    /// <summary>
    /// Runs one SQL statement. Sent as a command, so DDL (CREATE VIEW, CACHE TABLE, SET) runs at once;
    /// a query comes back as a relation, which is then executed for its rows.
    /// </summary>
    /// <param name="cancellationToken">Cancelling interrupts the operation on the server too.</param>
    public QueryResult Sql(string sql, CancellationToken cancellationToken = default)
    {
        var (relation, result) = Execute(new Plan { Command = new Command { SqlCommand = new SqlCommand { Sql = sql } } }, cancellationToken);
        return relation is null ? result : Execute(new Plan { Root = relation }, cancellationToken).Result;
    }

    private (Relation? Relation, QueryResult Result) Execute(Plan plan, CancellationToken cancellationToken)
    {
        // Our own operation id (lowercase, as the server stores it), so that Ctrl+C can interrupt exactly this.
        var operationId = Guid.NewGuid().ToString("D");
        var request = new ExecutePlanRequest
        {
            SessionId = SessionId,
            UserContext = User,
            ClientType = _address.UserAgent,
            Plan = plan,
            OperationId = operationId,
        };
        using var interrupt = cancellationToken.Register(() => Interrupt(operationId));
        return Call(() =>
        {
            using var call = _service.ExecutePlan(request, _headers, cancellationToken: cancellationToken);
            IReadOnlyList<string> columns = [];
            var rows = new List<object?[]>();
            Relation? relation = null;
            while (call.ResponseStream.MoveNext(cancellationToken).GetAwaiter().GetResult())
            {
                var response = call.ResponseStream.Current;
                switch (response.ResponseTypeCase)
                {
                    case ExecutePlanResponse.ResponseTypeOneofCase.ArrowBatch:
                        columns = ArrowRows.Read(response.ArrowBatch.Data.Memory, rows);
                        break;
                    case ExecutePlanResponse.ResponseTypeOneofCase.SqlCommandResult:
                        relation = response.SqlCommandResult.Relation;
                        break;
                    default:
                        // schema, metrics, execution_progress: nothing to keep. The stream's end is the result's end:
                        // result_complete comes only for reattachable executions (ExecuteThreadRunner.scala), not ours.
                        break;
                }
            }

            return (relation, new QueryResult(columns, rows));
        }, cancellationToken);
    }

    // Best effort, bounded by the timeout: the run is stopping either way.
    private void Interrupt(string operationId)
    {
        try
        {
            _service.Interrupt(new InterruptRequest
            {
                SessionId = SessionId,
                UserContext = User,
                ClientType = _address.UserAgent,
                InterruptType = InterruptRequest.Types.InterruptType.OperationId,
                OperationId = operationId,
            }, _headers, DateTime.UtcNow + _timeout);
        }
        catch (RpcException)
        {
        }
    }

    /// <summary>
    /// Ends the session on the server (4.x's ReleaseSession), freeing what it holds, unless the address
    /// names it (<c>session_id</c>): 4.x refuses a released session id for good (SparkConnectSessionManager
    /// keeps it among the closed sessions; <c>INVALID_HANDLE.SESSION_CLOSED</c>), and the next run with the
    /// same address would fail. A 3.5 server does not have the call and keeps the session until it expires:
    /// UNIMPLEMENTED is expected there.
    /// </summary>
    public void Release()
    {
        if (_address.SessionIdGiven)
        {
            return;
        }

        try
        {
            _service.ReleaseSession(new ReleaseSessionRequest { SessionId = SessionId, UserContext = User, ClientType = _address.UserAgent }, _headers, DateTime.UtcNow + _timeout);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
        }
    }

    private T Call<T>(Func<T> call, CancellationToken cancellationToken = default)
    {
        try
        {
            return call();
        }
        catch (RpcException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Interrupted.", e, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            // Refused at once, before any work: 4.x's PreSharedKeyAuthenticationInterceptor answers UNAUTHENTICATED
            // ("No authentication token provided", "Invalid authentication token"); a proxy may deny too. The
            // address is shown without its token.
            throw new SourceException($"Spark Connect at {_address} refuses the credentials: {e.Status.Detail} ({e.StatusCode}). "
                + "Check the token in --spark-remote (sc://host:port/;token=...).", e);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            throw new SourceException($"Cannot reach Spark Connect at {_address} within {_timeout.TotalSeconds:0.#} s: {e.Status.Detail}", e);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Internal && e.Status.DebugException is HttpRequestException or IOException)
        {
            // The connection itself failed (reset, or a keepalive ping unanswered): the server, not the query.
            throw new SourceException($"Lost the connection to Spark Connect at {_address}: {e.Status.Detail}", e);
        }
        catch (RpcException e) when (SparkError.ErrorClass(e) is { } handle && handle.StartsWith("INVALID_HANDLE.SESSION_", StringComparison.Ordinal))
        {
            // The session, not a query (SparkConnectSessionManager.scala): closed by a ReleaseSession, or expired.
            throw new SourceException($"Spark Connect at {_address} refuses the session {SessionId} ({handle}): a session that was released "
                + "or has expired cannot be used again. Give another session_id, or none for a new session per run.", e);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unimplemented)
        {
            // No such service or method here: an HTTP/2 server or proxy's 404, or another gRPC server. Spark
            // itself answers every failed call with INTERNAL, or UNKNOWN for a fatal error (ErrorUtils.scala).
            throw new SourceException($"{_address} does not answer as a Spark Connect server: {e.Status.Detail}", e);
        }
        catch (RpcException e)
        {
            throw new SqlException(SparkError.From(e, FetchErrorDetails), e);
        }
    }

    // 4.x keeps the whole error (the status message is cut at 2048 characters) under the errorId it sends.
    private FetchErrorDetailsResponse? FetchErrorDetails(string errorId)
    {
        try
        {
            return _service.FetchErrorDetails(
                new FetchErrorDetailsRequest { SessionId = SessionId, UserContext = User, ClientType = _address.UserAgent, ErrorId = errorId },
                _headers,
                DateTime.UtcNow + _timeout);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    public void Dispose() => _channel.Dispose();
}
