using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using GameApi.Analytics.Spark;
using GameApi.Analytics.Spark.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>Which Spark the stand-in behaves as, where 3.5 and 4.x differ.</summary>
public enum SparkVersion
{
    /// <summary>Sends nothing while an operation runs; errors carry only <c>classes</c>; no ReleaseSession or FetchErrorDetails.</summary>
    V35,

    /// <summary>execution_progress every so often; errors with errorClass, sqlState, errorId and SQLSTATE in the message.</summary>
    V40,
}

/// <summary>
/// A stand-in for a Spark Connect server, NOT Spark: it speaks the same gRPC protocol (our .proto) and runs
/// the SQL on DuckDB, answering as Spark does (sql/connect/server/.../planner/SparkConnectPlanner.scala,
/// ExecuteGrpcResponseSender.scala, utils/ErrorUtils.scala; 3.5 and 4.0):
/// <list type="bullet">
/// <item>a query sent as a command comes back unexecuted as a SQL relation; other commands run at once and
/// come back as a LocalRelation holding their output (none for DDL, key and value for SET, the rows of
/// DESCRIBE / SHOW with Spark's column names), which the client sends back;</item>
/// <item>4.x streams execution_progress while it works, then schema, Arrow batches, metrics and a last
/// progress (no result_complete: the client's executions are not reattachable); 3.5 stays silent until the
/// first batch and ends after the metrics;</item>
/// <item>errors are INTERNAL with an ErrorInfo as each version sends it; 4.x keeps the whole error for
/// FetchErrorDetails;</item>
/// <item>Interrupt by operation id ends the operation with [OPERATION_CANCELED]; ReleaseSession is 4.x only;</item>
/// <item>sessions by (user_id, session_id), each with its own temporary views (its own DuckDB), kept until
/// released; CACHE TABLE x AS refuses an existing view, DROP VIEW uncaches; a released session id is refused
/// with INVALID_HANDLE.SESSION_CLOSED (SparkConnectSessionManager.scala, CacheTableExec.scala);</item>
/// <item>the Kafka source over <see cref="Service.Topics"/> (a topic it does not have fails as Spark's does, when read);
/// Parse's schema inference with Spark's rules (<see cref="SparkJsonInference"/>).</item>
/// </list>
/// Spark SQL that DuckDB cannot run is translated only where the translation is exact (backquoted names,
/// CACHE TABLE x AS, SET, RLIKE, get_json_object(x, '$'), CAST(value AS STRING)); the events view (from_json, RLIKE) is substituted by tests
/// (<see cref="Service.Substitutions"/>), and its text is checked on its own.
/// </summary>
internal sealed class StandInSparkConnectServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StandInSparkConnectServer(WebApplication app, string address) => (_app, Address) = (app, address);

    /// <summary>"host:port", for an sc:// address.</summary>
    public string Address { get; }

    public Service Behaviour => _app.Services.GetRequiredService<Service>();

    /// <summary>
    /// Serves the records (JSON Lines, junk included) as the topic "events", partition 0, one second apart;
    /// the view of every event Spark would build (from_json) is the embedded engine's view over the same
    /// records; the time window over it runs as sent.
    /// </summary>
    public void ServeEvents(IReadOnlyList<string> records)
    {
        Behaviour.Topics["events"] = records.Select((r, i) => new KafkaRecord(0, i, new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc).AddSeconds(i), r)).ToList();
        var file = AnalyticsRunner.WriteLines([.. records]);
        var scratch = Directory.CreateDirectory(TestRunFolder.NewPath("stand-in", "")).FullName;
        Behaviour.Substitutions[$"CREATE OR REPLACE TEMPORARY VIEW {SparkEventsSql.Deduplicated} AS"] = GameApi.Analytics.Engine.DuckDbEngine
            .EventsViewSql(GameApi.Analytics.Events.FileSource.Read(file, scratch))
            .Replace("CREATE OR REPLACE VIEW events AS", $"CREATE OR REPLACE VIEW {SparkEventsSql.Deduplicated} AS", StringComparison.Ordinal);
    }

    public static async Task<StandInSparkConnectServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.Interceptors.Add<PreSharedKey>();
        });
        builder.Services.AddSingleton<Service>();
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        var uri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new StandInSparkConnectServer(app, $"{uri.Host}:{uri.Port}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A Kafka record as Spark's Kafka source gives it.</summary>
    internal sealed record KafkaRecord(int Partition, long Offset, DateTime Timestamp, string? Value);

    internal sealed class Service : SparkConnectService.SparkConnectServiceBase, IDisposable
    {
        private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
        private readonly ConcurrentDictionary<string, Exception> _errors = new();

        // Spark's sessions by (user_id, session_id) (SparkConnectSessionManager.scala): each its own temporary
        // views, here its own DuckDB. A session lives until it is released (4.x) or the server stops (its
        // expiry is not modelled); a released one is remembered and refused from then on.
        private readonly ConcurrentDictionary<(string User, string Id), Session> _sessions = new();
        private readonly ConcurrentDictionary<(string User, string Id), bool> _closed = new();

        public SparkVersion Version { get; set; } = SparkVersion.V40;

        public int RowsPerBatch { get; set; } = 1000;

        /// <summary>The token every call must carry (spark.connect.authenticate.token, 4.x); none when null.</summary>
        public string? Token { get; set; }

        /// <summary>Accepts calls and never answers them (a hung server).</summary>
        public bool NeverAnswer { get; set; }

        /// <summary>How long each ExecutePlan works before its first result (a big read).</summary>
        public TimeSpan WorkTime { get; set; }

        /// <summary>When set, only commands starting with this take <see cref="WorkTime"/>.</summary>
        public string? SlowCommand { get; set; }

        /// <summary>4.x's spark.connect.progress.reportInterval (Spark's default is 2 s).</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(200);

        /// <summary>Spark cannot reach the Kafka brokers (the admin client times out looking the topic up).</summary>
        public bool KafkaUnreachable { get; set; }

        /// <summary>Topics of the Kafka cluster Spark reads, by name.</summary>
        public ConcurrentDictionary<string, List<KafkaRecord>> Topics { get; } = new();

        public List<ExecutePlanRequest> Requests { get; } = [];

        public List<AnalyzePlanRequest> Analyses { get; } = [];

        public List<Metadata> Headers { get; } = [];

        public List<string> Interrupted { get; } = [];

        public List<string> Released { get; } = [];

        /// <summary>Session ids with a session on the server (not released).</summary>
        public IReadOnlyList<string> Sessions => _sessions.Keys.Select(k => k.Id).ToList();

        /// <summary>The temporary views a session holds (Kafka views included), by name.</summary>
        public IReadOnlyList<string> Objects(string sessionId) =>
            _sessions.Where(s => s.Key.Id == sessionId).SelectMany(s => s.Value.Names()).Distinct().Order(StringComparer.Ordinal).ToList();

        /// <summary>Tables cached with CACHE TABLE and not uncached since.</summary>
        public HashSet<string> Cached { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, string> Conf { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Statements DuckDB cannot run, by their start: recorded in <see cref="Substituted"/> and replaced
        /// with the given SQL, or with nothing when null.
        /// </summary>
        public Dictionary<string, string?> Substitutions { get; } = [];

        public List<string> Substituted { get; } = [];

        public override Task<AnalyzePlanResponse> AnalyzePlan(AnalyzePlanRequest request, ServerCallContext context)
        {
            lock (Analyses)
            {
                Analyses.Add(request);
            }

            if (NeverAnswer)
            {
                return Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => new AnalyzePlanResponse(), TaskScheduler.Default);
            }

            var session = SessionOf(request.UserContext, request.SessionId);
            if (request.AnalyzeCase == AnalyzePlanRequest.AnalyzeOneofCase.Schema)
            {
                var relation = request.Schema.Plan.Root;
                if (relation.RelTypeCase != Relation.RelTypeOneofCase.Parse)
                {
                    throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "the stand-in analyses Parse relations only"));
                }

                // spark.read.json over the input's first column: every row read to infer the schema.
                var records = new List<string>();
                AsSparkErrors(() =>
                {
                    foreach (var row in Rows(session, relation.Parse.Input.Sql.Query).Rows)
                    {
                        records.Add((string)row[0]!);
                    }
                });
                return Task.FromResult(new AnalyzePlanResponse
                {
                    SessionId = request.SessionId,
                    Schema = new AnalyzePlanResponse.Types.Schema { Schema_ = SparkJsonInference.Infer(records) },
                });
            }

            return Task.FromResult(new AnalyzePlanResponse
            {
                SessionId = request.SessionId,
                SparkVersion = new AnalyzePlanResponse.Types.SparkVersion { Version = Version == SparkVersion.V35 ? "3.5.8 (stand-in)" : "4.0.3 (stand-in)" },
            });
        }

        public override Task<InterruptResponse> Interrupt(InterruptRequest request, ServerCallContext context)
        {
            lock (Interrupted)
            {
                Interrupted.Add(request.OperationId);
            }

            var response = new InterruptResponse { SessionId = request.SessionId };
            if (_running.TryGetValue(request.OperationId, out var operation))
            {
                operation.Cancel();
                response.InterruptedIds.Add(request.OperationId);
            }

            return Task.FromResult(response);
        }

        // The base class answers UNIMPLEMENTED, as a 3.5 server does.
        public override Task<ReleaseSessionResponse> ReleaseSession(ReleaseSessionRequest request, ServerCallContext context)
        {
            if (Version == SparkVersion.V35)
            {
                return base.ReleaseSession(request, context);
            }

            lock (Released)
            {
                Released.Add(request.SessionId);
            }

            // SparkConnectSessionManager.closeSession: the id is kept among the closed sessions (without
            // allow_reconnect, which we never send), so that it cannot be created again; unknown ids are a no-op.
            var key = (request.UserContext.UserId, request.SessionId);
            if (_sessions.TryRemove(key, out var session))
            {
                _closed[key] = true;
                session.Dispose();
            }

            return Task.FromResult(new ReleaseSessionResponse { SessionId = request.SessionId });
        }

        public override Task<FetchErrorDetailsResponse> FetchErrorDetails(FetchErrorDetailsRequest request, ServerCallContext context)
        {
            if (Version == SparkVersion.V35)
            {
                return base.FetchErrorDetails(request, context);
            }

            var response = new FetchErrorDetailsResponse();
            if (_errors.TryGetValue(request.ErrorId, out var error))
            {
                response.RootErrorIdx = 0;
                response.Errors.Add(new FetchErrorDetailsResponse.Types.Error { Message = FullMessage(error), ErrorTypeHierarchy = { "org.apache.spark.sql.AnalysisException" } });
            }

            return Task.FromResult(response);
        }

        public override async Task ExecutePlan(ExecutePlanRequest request, IServerStreamWriter<ExecutePlanResponse> responses, ServerCallContext context)
        {
            lock (Requests)
            {
                Requests.Add(request);
                Headers.Add(context.RequestHeaders);
            }

            if (NeverAnswer)
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }

            var operationId = request.HasOperationId ? Guid.Parse(request.OperationId).ToString("D") : Guid.NewGuid().ToString("D");
            using var operation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            _running[operationId] = operation;
            try
            {
                ExecutePlanResponse Response() => new() { SessionId = request.SessionId, OperationId = operationId, ResponseId = Guid.NewGuid().ToString("D") };
                var slow = SlowCommand is null || request.Plan.Command?.SqlCommand?.Sql?.StartsWith(SlowCommand, StringComparison.Ordinal) == true;
                await Work(slow ? WorkTime : TimeSpan.Zero, () => responses.WriteAsync(Response().With(r => r.ExecutionProgress = new() { NumInflightTasks = 1 })), operation.Token);
                if (operation.IsCancellationRequested)
                {
                    throw SparkError(new OperationCanceledException(), "[OPERATION_CANCELED] Operation has been canceled.", "org.apache.spark.SparkSQLException", "OPERATION_CANCELED", "HY008");
                }

                var answers = Answer(SessionOf(request.UserContext, request.SessionId), request.Plan);
                var rows = request.Plan.OpTypeCase == Plan.OpTypeOneofCase.Root;
                if (rows && Version == SparkVersion.V40)
                {
                    await responses.WriteAsync(Response().With(r => r.Schema = new DataType { Struct = new() }));
                }

                foreach (var answer in answers)
                {
                    await responses.WriteAsync(Response().With(answer));
                }

                if (rows)
                {
                    await responses.WriteAsync(Response().With(r => r.Metrics = new()));
                }

                if (Version == SparkVersion.V40)
                {
                    // 4.x: a last progress report, then the stream ends with OK. result_complete comes only
                    // for reattachable executions (ExecuteThreadRunner.scala), which need request_options
                    // that this client never sends (our .proto does not even have them).
                    await responses.WriteAsync(Response().With(r => r.ExecutionProgress = new() { NumInflightTasks = 0 }));
                }
            }
            finally
            {
                _running.TryRemove(operationId, out _);
            }
        }

        // The work before the first result: 3.5 silent, 4.x with progress every interval.
        private async Task Work(TimeSpan time, Func<Task> progress, CancellationToken cancellation)
        {
            var until = DateTime.UtcNow + time;
            while (DateTime.UtcNow < until && !cancellation.IsCancellationRequested)
            {
                var step = Version == SparkVersion.V40 ? ProgressInterval : until - DateTime.UtcNow;
                try
                {
                    await Task.Delay(step < until - DateTime.UtcNow ? step : until - DateTime.UtcNow, cancellation);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (Version == SparkVersion.V40)
                {
                    await progress();
                }
            }
        }

        // getOrCreateIsolatedSession: a new id starts a session; a closed one is refused, with no errorId (the
        // error is built without a session to keep it: ErrorUtils.processErrorCommon).
        private Session SessionOf(UserContext user, string sessionId)
        {
            var key = (user.UserId, sessionId);
            if (_closed.ContainsKey(key))
            {
                throw SparkError(null, $"[INVALID_HANDLE.SESSION_CLOSED] The handle {sessionId} is invalid. Session was closed.",
                    "org.apache.spark.SparkSQLException", "INVALID_HANDLE.SESSION_CLOSED", "HY000", keepDetails: false);
            }

            return _sessions.GetOrAdd(key, _ => new Session());
        }

        private List<Action<ExecutePlanResponse>> Answer(Session session, Plan plan)
        {
            if (plan.OpTypeCase == Plan.OpTypeOneofCase.Root)
            {
                var relation = plan.Root;
                var batches = relation.RelTypeCase != Relation.RelTypeOneofCase.LocalRelation ? Batches(session, relation.Sql.Query)
                    : relation.LocalRelation.HasData ? [relation.LocalRelation.Data.ToByteArray()]
                    : [];
                var answers = new List<Action<ExecutePlanResponse>>();
                answers.AddRange(batches.Select(b => (Action<ExecutePlanResponse>)(r => r.ArrowBatch = new() { RowCount = 0, Data = ByteString.CopyFrom(b) })));
                return answers;
            }

            var sql = plan.Command.SqlCommand.Sql;
            if (Substitutions.FirstOrDefault(p => sql.StartsWith(p.Key, StringComparison.Ordinal)) is { Key: not null } substitution)
            {
                lock (Substituted)
                {
                    Substituted.Add(sql);
                }

                if (substitution.Value is null)
                {
                    return [];
                }

                sql = substitution.Value;
            }

            if (Regex.IsMatch(sql, @"^(\s|--[^\n]*\n|/\*.*?\*/)*(SELECT|WITH)\b", RegexOptions.IgnoreCase | RegexOptions.Singleline))
            {
                // A query sent as a command comes back unexecuted, as a relation.
                return [r => r.SqlCommandResult = new() { Relation = new Relation { Sql = new SQL { Query = sql } } }];
            }

            if (Regex.IsMatch(sql, @"^\s*(DESCRIBE|SHOW)\b", RegexOptions.IgnoreCase))
            {
                // Commands with rows run at once; their rows come back inside the relation (Spark's LocalRelation).
                var data = Batches(session, DescribeAsSpark(sql)).Single();
                return [r => r.SqlCommandResult = new() { Relation = new Relation { LocalRelation = new LocalRelation { Data = ByteString.CopyFrom(data) } } }];
            }

            AsSparkErrors(() => Command(session, sql), sql);

            // Spark runs a command at once and answers with its output as a LocalRelation, which the client
            // sends back: no columns for DDL, (key, value) for SET.
            var local = new LocalRelation();
            if (Regex.Match(sql, @"^SET ([\w.]+) = (.*)$") is { Success: true } set)
            {
                local.Data = ByteString.CopyFrom(Batches(session, $"SELECT '{set.Groups[1].Value}' AS key, '{set.Groups[2].Value}' AS value").Single());
            }

            return [r => r.SqlCommandResult = new() { Relation = new Relation { LocalRelation = local } }];
        }

        private void Command(Session session, string sql)
        {
            if (Regex.Match(sql, @"^SET ([\w.]+) = (.*)$") is { Success: true } set)
            {
                Conf[set.Groups[1].Value] = set.Groups[2].Value;
                return;
            }

            if (Regex.Match(sql, @"^RESET ([\w.]+)$") is { Success: true } reset)
            {
                Conf.Remove(reset.Groups[1].Value);
                return;
            }

            if (Regex.Match(sql, @"^CREATE OR REPLACE TEMPORARY VIEW (\w+) USING kafka OPTIONS \((.*)\)$", RegexOptions.Singleline) is { Success: true } kafka)
            {
                // Spark's Kafka relation is lazy: the topic is looked up when the view is read.
                session.KafkaViews[kafka.Groups[1].Value] = Regex.Match(kafka.Groups[2].Value, @"'subscribe' = '((?:[^'\\]|\\.)*)'").Groups[1].Value.Replace("\\'", "'", StringComparison.Ordinal);
                return;
            }

            if (Regex.Match(sql, @"^UNCACHE TABLE (IF EXISTS )?(\w+)$") is { Success: true } uncache)
            {
                Cached.Remove(uncache.Groups[2].Value);
                return;
            }

            if (Regex.Match(sql, @"^DROP VIEW IF EXISTS (\w+)$") is { Success: true } drop)
            {
                // DropTableCommand (sql/core/.../execution/command/ddl.scala) uncaches a temporary view, then drops it.
                var name = drop.Groups[1].Value;
                Cached.Remove(name);
                session.KafkaViews.TryRemove(name, out _);
                if (session.KindOf(name) is { } kind)
                {
                    session.Run($"DROP {kind} {name}");
                }

                return;
            }

            if (Regex.Match(sql, @"^CACHE TABLE (\w+)( AS (.*))?$", RegexOptions.Singleline) is { Success: true } cache)
            {
                var name = cache.Groups[1].Value;
                if (cache.Groups[3].Success)
                {
                    // CacheTableAsSelectExec creates the view with replace = false (CacheTableExec.scala).
                    if (session.KindOf(name) is not null || session.KafkaViews.ContainsKey(name))
                    {
                        throw new AlreadyExists(name);
                    }

                    session.Run($"CREATE TABLE {name} AS {Translate(session, cache.Groups[3].Value)}");
                }

                Cached.Add(name);
                return;
            }

            session.Run(Translate(session, sql));
        }

        // Spark names in backquotes are DuckDB's double-quoted names; a read of a Kafka view reads its topic.
        private string Translate(Session session, string sql)
        {
            foreach (var (view, topic) in session.KafkaViews)
            {
                if (Regex.IsMatch(sql, $@"\b{view}\b"))
                {
                    // KafkaRelation → admin describeTopics: the ExecutionException reaches the client unwrapped.
                    if (KafkaUnreachable)
                    {
                        throw new KafkaFailure("org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeTopics");
                    }

                    if (!Topics.TryGetValue(topic, out var records))
                    {
                        throw new KafkaFailure($"org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic {topic} not found.");
                    }

                    session.Run($"CREATE OR REPLACE TABLE {view} AS SELECT CAST(NULL AS BLOB) AS key, CAST(value AS BLOB) AS value, '{topic.Replace("'", "''", StringComparison.Ordinal)}' AS topic, "
                        + "partition, \"offset\", timestamp, 0 AS timestampType FROM (VALUES "
                        + (records.Count == 0 ? "(NULL, NULL, NULL, NULL)" : string.Join(", ", records.Select(Values)))
                        + ") AS t(partition, \"offset\", timestamp, value)" + (records.Count == 0 ? " WHERE false" : ""));
                }
            }

            // Spark's CAST(binary AS STRING) decodes UTF-8; DuckDB's would escape bytes, its decode() does not.
            sql = sql.Replace("CAST(value AS STRING)", "decode(value)", StringComparison.Ordinal);

            // x RLIKE 'regex' is DuckDB's regexp_matches (both search anywhere in the text).
            sql = Regex.Replace(sql, @"(\w+) RLIKE ('(?:[^'\\]|\\.)*')", "regexp_matches($1, $2)");
            return sql.Replace('`', '"');
        }

        private static string Values(KafkaRecord r) => string.Create(CultureInfo.InvariantCulture,
            $"({r.Partition}, {r.Offset}, TIMESTAMP '{r.Timestamp:yyyy-MM-dd HH:mm:ss.ffffff}', {(r.Value is null ? "NULL" : "'" + r.Value.Replace("'", "''", StringComparison.Ordinal) + "'")})");

        private static string DescribeAsSpark(string sql) =>
            Regex.Match(sql, @"^\s*DESCRIBE\s+(\w+)\s*$", RegexOptions.IgnoreCase) is { Success: true } describe
                ? $"SELECT column_name AS col_name, lower(replace(replace(column_type, 'VARCHAR', 'string'), 'DOUBLE', 'double')) AS data_type, CAST(NULL AS VARCHAR) AS comment FROM (DESCRIBE {describe.Groups[1].Value})"
                : sql;

        private (List<(string Name, System.Type Type)> Fields, List<object?[]> Rows) Rows(Session session, string sql)
        {
            using var command = session.Duck.CreateCommand();
            command.CommandText = Translate(session, sql);
            using var reader = command.ExecuteReader();
            var fields = Enumerable.Range(0, reader.FieldCount).Select(i => (reader.GetName(i), reader.GetFieldType(i))).ToList();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
            }

            return (fields, rows);
        }

        private List<byte[]> Batches(Session session, string sql)
        {
            var batches = new List<byte[]>();
            AsSparkErrors(() =>
            {
                var (fields, rows) = Rows(session, sql);

                // Spark sends at least one batch, with the schema, even for no rows.
                var chunks = rows.Chunk(RowsPerBatch).ToList();
                foreach (var chunk in chunks.Count == 0 ? [[]] : chunks)
                {
                    batches.Add(Encode(fields, chunk));
                }
            }, sql);
            return batches;
        }

        // DuckDB's and Kafka's errors as Spark sends its own: INTERNAL with an ErrorInfo, as each version writes it.
        // With the statement, a DuckDB syntax error is Spark's PARSE_SYNTAX_ERROR.
        private void AsSparkErrors(Action run, string? sql = null)
        {
            try
            {
                run();
            }
            catch (DuckDBException e) when (sql is not null && Regex.Match(e.Message, "^Parser Error: syntax error at (?:or near \"(.*?)\"|end of input)") is { Success: true } syntax)
            {
                // ParseException.getMessage (sql/api/.../catalyst/parser/parsers.scala): a newline first, the
                // message, "(line l, pos p)", then the statement with a caret under the position.
                var near = syntax.Groups[1].Success ? $"'{syntax.Groups[1].Value}'" : "end of input";
                var line = sql.Split('\n')[0];
                var pos = syntax.Groups[1].Success ? Math.Max(0, line.IndexOf(syntax.Groups[1].Value, StringComparison.Ordinal)) : line.Length;
                throw SparkError(e, state => $"\n[PARSE_SYNTAX_ERROR] Syntax error at or near {near}.{state}(line 1, pos {pos})\n\n== SQL ==\n{sql}\n{new string('-', pos)}^^^\n",
                    "org.apache.spark.sql.catalyst.parser.ParseException", "PARSE_SYNTAX_ERROR", "42601");
            }
            catch (DuckDBException e)
            {
                throw SparkError(e, $"[UNRESOLVED_COLUMN.WITH_SUGGESTION] {e.Message}", "org.apache.spark.sql.AnalysisException", "UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703");
            }
            catch (AlreadyExists e)
            {
                throw SparkError(e, e.Message, "org.apache.spark.sql.catalyst.analysis.TempTableAlreadyExistsException", "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", "42P07");
            }
            catch (KafkaFailure e)
            {
                throw SparkError(e, e.Message, "java.util.concurrent.ExecutionException", null, null);
            }
        }

        private RpcException SparkError(Exception? error, string message, string reason, string? errorClass, string? sqlState, bool keepDetails = true) =>
            SparkError(error, state => message + state, reason, errorClass, sqlState, keepDetails);

        // The message given " SQLSTATE: x" where 4.x puts it (SparkThrowableHelper), nothing on 3.5.
        private RpcException SparkError(Exception? error, Func<string, string> messageWithState, string reason, string? errorClass, string? sqlState, bool keepDetails = true)
        {
            var message = messageWithState(Version == SparkVersion.V40 && sqlState is not null ? $" SQLSTATE: {sqlState}" : "");
            var info = new ErrorInfo { Reason = reason, Domain = "org.apache.spark" };
            info.Metadata.Add("classes", $"[\"{reason}\",\"java.lang.Exception\",\"java.lang.Throwable\"]");
            if (Version == SparkVersion.V40)
            {
                if (errorClass is not null)
                {
                    info.Metadata.Add("errorClass", errorClass);
                }

                if (sqlState is not null)
                {
                    info.Metadata.Add("sqlState", sqlState);
                }

                if (keepDetails)
                {
                    var errorId = Guid.NewGuid().ToString("D");
                    _errors[errorId] = new InvalidOperationException(message, error);
                    info.Metadata.Add("errorId", errorId);
                }
            }

            // Spark cuts the status message at 2048 characters (SparkConnectService.extractErrorMessage).
            var cut = message.Length > 2048 ? message[..2045] + "..." : message;
            return new Google.Rpc.Status { Code = (int)Code.Internal, Message = cut, Details = { Any.Pack(info) } }.ToRpcException();
        }

        private static string FullMessage(Exception error) => error.Message;

        private static byte[] Encode(List<(string Name, System.Type Type)> fields, object?[][] rows)
        {
            var builder = new RecordBatch.Builder();
            for (var c = 0; c < fields.Count; c++)
            {
                var column = c;
                var (name, type) = fields[c];
                IEnumerable<object?> Values() => rows.Select(r => r[column]);
                if (type == typeof(long) || type == typeof(int))
                {
                    builder.Append(name, true, a => a.Int64(b => { foreach (var v in Values()) { if (v is null) { b.AppendNull(); } else { b.Append(Convert.ToInt64(v, CultureInfo.InvariantCulture)); } } }));
                }
                else if (type == typeof(double))
                {
                    builder.Append(name, true, a => a.Double(b => { foreach (var v in Values()) { if (v is null) { b.AppendNull(); } else { b.Append((double)v); } } }));
                }
                else if (type == typeof(bool))
                {
                    builder.Append(name, true, a => a.Boolean(b => { foreach (var v in Values()) { if (v is null) { b.AppendNull(); } else { b.Append((bool)v); } } }));
                }
                else if (type == typeof(DateTime))
                {
                    builder.Append(name, true, a => a.Timestamp(b => { foreach (var v in Values()) { if (v is null) { b.AppendNull(); } else { b.Append(new DateTimeOffset(DateTime.SpecifyKind((DateTime)v, DateTimeKind.Utc))); } } }));
                }
                else
                {
                    builder.Append(name, true, a => a.String(b => { foreach (var v in Values()) { if (v is null) { b.AppendNull(); } else { b.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); } } }));
                }
            }

            using var batch = builder.Build();
            using var stream = new MemoryStream();
            using (var writer = new ArrowStreamWriter(stream, batch.Schema))
            {
                writer.WriteRecordBatch(batch);
                writer.WriteEnd();
            }

            return stream.ToArray();
        }

        public void Dispose()
        {
            foreach (var operation in _running.Values)
            {
                operation.Cancel();
            }

            foreach (var session in _sessions.Values)
            {
                session.Dispose();
            }
        }
    }

    /// <summary>One Spark session's state: its own DuckDB, so temporary views persist in it and only in it.</summary>
    private sealed class Session : IDisposable
    {
        public Session()
        {
            Duck.Open();
            Run("SET TimeZone = 'UTC'");

            // Spark's NULL order: first when ascending, last when descending (SortOrder.scala); DuckDB's is last for both.
            Run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");

            // Spark's get_json_object(json, '$') is the text when it parses as JSON, else NULL.
            Run("CREATE MACRO get_json_object(j, path) AS CASE WHEN path = '$' AND json_valid(j) THEN j END");
        }

        public DuckDBConnection Duck { get; } = new("DataSource=:memory:");

        /// <summary>Kafka views by name, with their topic: Spark's Kafka relation is read lazily.</summary>
        public ConcurrentDictionary<string, string> KafkaViews { get; } = new();

        /// <summary>VIEW or TABLE when the session has an object of that name.</summary>
        public string? KindOf(string name)
        {
            using var command = Duck.CreateCommand();
            command.CommandText = "SELECT 'VIEW' FROM duckdb_views() WHERE NOT internal AND view_name = $1 UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = $1";
            command.Parameters.Add(new DuckDBParameter(name));
            return command.ExecuteScalar() as string;
        }

        public List<string> Names()
        {
            using var command = Duck.CreateCommand();
            command.CommandText = "SELECT view_name FROM duckdb_views() WHERE NOT internal UNION ALL SELECT table_name FROM duckdb_tables()";
            using var reader = command.ExecuteReader();
            var names = new List<string>(KafkaViews.Keys);
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }

        public void Run(string sql)
        {
            using var command = Duck.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public void Dispose() => Duck.Dispose();
    }

    private sealed class KafkaFailure(string message) : Exception(message);

    // 4.x's PreSharedKeyAuthenticationInterceptor.scala: every call without "Bearer <token>" is closed at once
    // with UNAUTHENTICATED, before any handler runs.
    private sealed class PreSharedKey(Service service) : Interceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Check(context);
            return continuation(request, context);
        }

        public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Check(context);
            return continuation(request, responseStream, context);
        }

        private void Check(ServerCallContext context)
        {
            if (service.Token is not { } token)
            {
                return;
            }

            var sent = context.RequestHeaders.GetValue("authorization");
            if (sent is null)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "No authentication token provided"));
            }

            if (sent != $"Bearer {token}")
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "Invalid authentication token"));
            }
        }
    }

    private sealed class AlreadyExists(string name)
        : Exception($"[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `{name}` because it already exists.\n"
            + "Choose a different name, drop or replace the existing view, or add the IF NOT EXISTS clause to tolerate pre-existing views.");
}

internal static class ExecutePlanResponseExtensions
{
    public static ExecutePlanResponse With(this ExecutePlanResponse response, Action<ExecutePlanResponse> set)
    {
        set(response);
        return response;
    }
}
