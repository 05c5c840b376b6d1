using System.Net.Http.Headers;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark.Protocol;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace GameApi.Analytics.Spark;

/// <summary>
/// A Spark Connect client for SQL: one session (a UUID, reused for the run, so temporary views persist),
/// non-reattachable ExecutePlan calls, results decoded from Arrow.
/// </summary>
public sealed class SparkConnectClient : IDisposable
{
    private const int MaxMessageBytes = 128 * 1024 * 1024;
    private readonly SparkConnectionString _address;
    private readonly TimeSpan _timeout;
    private readonly GrpcChannel _channel;
    private readonly SparkConnectService.SparkConnectServiceClient _service;
    private readonly Metadata _headers = [];

    /// <param name="timeout">How long to wait for the server to answer at all (not for a query to finish).</param>
    public SparkConnectClient(SparkConnectionString address, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        _address = address;
        _timeout = timeout;
        _channel = GrpcChannel.ForAddress(address.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler ?? new SocketsHttpHandler { ConnectTimeout = timeout, EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
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

    /// <summary>The server's Spark version: a cheap way to check that it answers.</summary>
    public string Version()
    {
        var request = new AnalyzePlanRequest
        {
            SessionId = _address.SessionId.ToString("D"),
            UserContext = new UserContext { UserId = _address.UserId },
            ClientType = _address.UserAgent,
            SparkVersion = new AnalyzePlanRequest.Types.SparkVersion(),
        };
        return Call(() => _service.AnalyzePlan(request, _headers, DateTime.UtcNow + _timeout).SparkVersion.Version);
    }

    /// <summary>
    /// Runs one SQL statement. Sent as a command, so DDL (CREATE VIEW, CACHE TABLE, SET) runs at once;
    /// a query comes back as a relation, which is then executed for its rows.
    /// </summary>
    public QueryResult Sql(string sql)
    {
        var (relation, result) = Execute(new Plan { Command = new Command { SqlCommand = new SqlCommand { Sql = sql } } });
        return relation is null ? result : Execute(new Plan { Root = relation }).Result;
    }

    private (Relation? Relation, QueryResult Result) Execute(Plan plan)
    {
        var request = new ExecutePlanRequest
        {
            SessionId = _address.SessionId.ToString("D"),
            UserContext = new UserContext { UserId = _address.UserId },
            ClientType = _address.UserAgent,
            Plan = plan,
        };
        return Call(() =>
        {
            using var call = _service.ExecutePlan(request, _headers);
            IReadOnlyList<string> columns = [];
            var rows = new List<object?[]>();
            Relation? relation = null;
            var first = true;
            while (Next(call.ResponseStream, first))
            {
                first = false;
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
                        break; // metrics, schema, result_complete: nothing to keep
                }
            }

            return (relation, new QueryResult(columns, rows));
        });
    }

    // The first message has to come within the timeout: a server that accepts the connection and
    // never answers must not hang the run. Later ones take as long as the query takes.
    private bool Next(IAsyncStreamReader<ExecutePlanResponse> stream, bool first)
    {
        if (!first)
        {
            return stream.MoveNext(CancellationToken.None).GetAwaiter().GetResult();
        }

        using var answer = new CancellationTokenSource(_timeout);
        try
        {
            return stream.MoveNext(answer.Token).GetAwaiter().GetResult();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && answer.IsCancellationRequested)
        {
            throw new SourceException($"Spark Connect at {_address} did not answer within {_timeout.TotalSeconds:0.#} s.", e);
        }
    }

    private T Call<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unauthenticated)
        {
            throw new SourceException($"Cannot reach Spark Connect at {_address} within {_timeout.TotalSeconds:0.#} s: {e.Status.Detail}", e);
        }
        catch (RpcException e)
        {
            throw new SqlException(Describe(e), e);
        }
    }

    /// <summary>Spark's message, plus its error class and SQL state when the server sends them.</summary>
    internal static string Describe(RpcException error)
    {
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        var errorClass = info?.Metadata.GetValueOrDefault("errorClass");
        var sqlState = info?.Metadata.GetValueOrDefault("sqlState");
        var message = error.Status.Detail;
        if (errorClass is not null && !message.Contains(errorClass, StringComparison.Ordinal))
        {
            message += $" [{errorClass}]";
        }

        if (sqlState is not null)
        {
            message += $" (SQLSTATE {sqlState})";
        }

        return info?.Reason is { Length: > 0 } reason ? $"{message} ({reason})" : message;
    }

    public void Dispose() => _channel.Dispose();
}
