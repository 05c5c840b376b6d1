using System.Net;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using GameApi.Analytics.Spark.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>
/// A stand-in for a Spark Connect server, NOT Spark: it speaks the same gRPC protocol (our .proto) and
/// answers ExecutePlan by running the SQL on DuckDB and streaming the rows as Arrow batches, like Spark
/// does. What tests against it prove is the wire path: requests, streaming, Arrow decoding, errors and
/// timeouts. Spark's SQL dialect and its Kafka source are not exercised here.
/// </summary>
internal sealed class StandInSparkConnectServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StandInSparkConnectServer(WebApplication app, string address) => (_app, Address) = (app, address);

    /// <summary>"host:port", for an sc:// address.</summary>
    public string Address { get; }

    public Service Behaviour => _app.Services.GetRequiredService<Service>();

    public static async Task<StandInSparkConnectServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
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

    internal sealed class Service : SparkConnectService.SparkConnectServiceBase, IDisposable
    {
        private readonly DuckDBConnection _duck = new("DataSource=:memory:");

        public Service() => _duck.Open();

        public int RowsPerBatch { get; set; } = 1000;

        public bool NeverAnswer { get; set; }

        public List<ExecutePlanRequest> Requests { get; } = [];

        public List<Metadata> Headers { get; } = [];

        /// <summary>
        /// Statements DuckDB cannot run (Spark's Kafka source, CACHE TABLE), by their start: recorded
        /// in <see cref="Substituted"/> and replaced with the given SQL, or with nothing when null.
        /// </summary>
        public Dictionary<string, string?> Substitutions { get; } = [];

        public List<string> Substituted { get; } = [];

        public override Task<AnalyzePlanResponse> AnalyzePlan(AnalyzePlanRequest request, ServerCallContext context) =>
            Task.FromResult(new AnalyzePlanResponse
            {
                SessionId = request.SessionId,
                SparkVersion = new AnalyzePlanResponse.Types.SparkVersion { Version = "stand-in (DuckDB)" },
            });

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

            if (request.Plan.OpTypeCase == Plan.OpTypeOneofCase.Command)
            {
                var sql = request.Plan.Command.SqlCommand.Sql;
                if (Substitutions.FirstOrDefault(p => sql.StartsWith(p.Key, StringComparison.Ordinal)) is { Key: not null } substitution)
                {
                    Substituted.Add(sql);
                    if (substitution.Value is null)
                    {
                        return;
                    }

                    sql = substitution.Value;
                }

                if (IsQuery(sql))
                {
                    // As Spark does: a query sent as a command comes back unexecuted, as a relation.
                    await responses.WriteAsync(new ExecutePlanResponse
                    {
                        SessionId = request.SessionId,
                        SqlCommandResult = new ExecutePlanResponse.Types.SqlCommandResult { Relation = new Relation { Sql = new SQL { Query = sql } } },
                    });
                    return;
                }

                AsSparkErrors(() =>
                {
                    using var command = _duck.CreateCommand();
                    command.CommandText = sql;
                    command.ExecuteNonQuery();
                });
                return;
            }

            var batches = new List<byte[]>();
            Run(request.Plan.Root.Sql.Query, batches.Add);
            foreach (var batch in batches)
            {
                await responses.WriteAsync(new ExecutePlanResponse
                {
                    SessionId = request.SessionId,
                    ArrowBatch = new ExecutePlanResponse.Types.ArrowBatch { RowCount = 0, Data = ByteString.CopyFrom(batch) },
                });
            }
        }

        // Statements with rows; Spark returns those of a command (DESCRIBE, SHOW) as a relation too.
        private static bool IsQuery(string sql) =>
            new[] { "SELECT", "WITH", "DESCRIBE", "SHOW" }.Any(k => sql.TrimStart().StartsWith(k, StringComparison.OrdinalIgnoreCase));

        private void Run(string sql, Action<byte[]> batch) => AsSparkErrors(() =>
        {
            using var command = _duck.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var fields = Enumerable.Range(0, reader.FieldCount).Select(i => (reader.GetName(i), reader.GetFieldType(i))).ToList();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
            }

            // Spark sends at least one batch, with the schema, even for no rows.
            var chunks = rows.Chunk(RowsPerBatch).ToList();
            foreach (var chunk in chunks.Count == 0 ? [[]] : chunks)
            {
                batch(Encode(fields, chunk));
            }
        });

        // DuckDB's errors as Spark sends its own: an Internal status with ErrorInfo details.
        private static void AsSparkErrors(Action run)
        {
            try
            {
                run();
            }
            catch (DuckDBException e)
            {
                var info = new ErrorInfo { Reason = "org.apache.spark.sql.AnalysisException", Domain = "org.apache.spark" };
                info.Metadata.Add("errorClass", "UNRESOLVED_COLUMN.WITH_SUGGESTION");
                info.Metadata.Add("sqlState", "42703");
                throw new Google.Rpc.Status { Code = (int)Code.Internal, Message = $"[stand-in] {e.Message}", Details = { Any.Pack(info) } }.ToRpcException();
            }
        }

        private static byte[] Encode(List<(string Name, System.Type Type)> fields, object?[][] rows)
        {
            var builder = new RecordBatch.Builder();
            for (var c = 0; c < fields.Count; c++)
            {
                var column = c;
                var (name, type) = fields[c];
                if (type == typeof(long) || type == typeof(int))
                {
                    builder.Append(name, true, a => a.Int64(b => { foreach (var r in rows) { if (r[column] is null) { b.AppendNull(); } else { b.Append(Convert.ToInt64(r[column], System.Globalization.CultureInfo.InvariantCulture)); } } }));
                }
                else
                {
                    builder.Append(name, true, a => a.String(b => { foreach (var r in rows) { if (r[column] is null) { b.AppendNull(); } else { b.Append(Convert.ToString(r[column], System.Globalization.CultureInfo.InvariantCulture)); } } }));
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

        public void Dispose() => _duck.Dispose();
    }
}
