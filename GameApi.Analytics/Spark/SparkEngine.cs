using System.Globalization;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Spark;

/// <summary>
/// Spark, through Spark Connect: the events table is built in Spark SQL over the Kafka source, so the
/// events never pass through this process; queries run on the cluster. What a run caches there is
/// dropped when the engine is disposed, after errors and interruptions too.
/// </summary>
public sealed class SparkEngine(SparkConnectClient client, TimeSpan timeout, CancellationToken cancellationToken = default) : IAnalyticsEngine
{
    private EventSchema? _schema;
    private bool _cached;

    public void LoadEvents(EventSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.InputFile is not null)
        {
            throw new ArgumentException("Spark reads the topic itself, not a file on this machine.", nameof(source));
        }

        client.Connect();
        _cached = true; // from here on, something may be cached
        try
        {
            foreach (var statement in SparkEventsSql.ReadTopic(source.BootstrapServers, source.Topic))
            {
                client.Sql(statement, cancellationToken);
            }
        }
        catch (SqlException e)
        {
            // Our own statements: when they fail, Spark could not read the topic (no such topic, brokers
            // unreachable from the cluster, the Kafka source missing): the source, not the user's SQL.
            throw new SourceException($"Spark could not read the topic '{source.Topic}' from Kafka at {source.BootstrapServers}: {e.Message}", e);
        }

        client.Sql(SparkEventsSql.CaseSensitive, cancellationToken);
        var schema = EventSchema.From(InferredFields.From(client.Schema(SparkEventsSql.Inference(), cancellationToken)), new Dictionary<string, long>(), 0);
        foreach (var statement in SparkEventsSql.BuildEvents(schema, source.Window))
        {
            client.Sql(statement, cancellationToken);
        }

        client.Sql(SparkEventsSql.CaseSensitiveOff, cancellationToken);

        _schema = schema;
        var counts = client.Sql(SparkEventsSql.Counts(source.Window), cancellationToken).Rows.Single().Select(Whole).ToList();
        var (records, objects, events) = (counts[0], counts[1], counts[2]);
        if (records > objects)
        {
            source.Notices.WriteLine(records - objects == 1 ? "Skipped 1 message that is not a JSON object." : $"Skipped {records - objects} messages that are not JSON objects.");
        }

        if (objects > events)
        {
            source.Notices.WriteLine($"Counted {objects - events} resent event{(objects - events == 1 ? "" : "s")} once (same event_id).");
        }

        if (records == 0)
        {
            source.Notices.WriteLine($"Topic '{source.Topic}' at {source.BootstrapServers} is empty: no events.");
        }
    }

    public QueryResult Query(string sql)
    {
        // Spark's parser takes one statement per call: the statements run in order, the last one's result shown.
        var statements = SqlStatements.Split(sql);
        if (statements.Count == 0)
        {
            throw new SqlException("The query has no statement, only comments or semicolons.");
        }

        QueryResult result = new([], []);
        foreach (var statement in statements)
        {
            result = client.Sql(statement, cancellationToken);
        }

        return result;
    }

    /// <summary>The same columns and types as the embedded engine's (one <see cref="EventSchema"/>), counted on the cluster.</summary>
    public QueryResult Schema()
    {
        var schema = _schema ?? throw new InvalidOperationException("Load the events first.");
        return ColumnCounts.Result(schema, client.Sql(ColumnCounts.Sql(schema, SparkEventsSql.Identifier), cancellationToken).Rows.Single());
    }

    /// <exception cref="NotSupportedException">Always: the rows are on the cluster; the command line offers .csv and .json with Spark.</exception>
    public void ExportParquet(string sql, string path) =>
        throw new NotSupportedException("Parquet output is written by the embedded engine only.");

    /// <summary>
    /// Drops the run's views (and with them their caches) and releases the session unless the user named it,
    /// each bounded by the timeout; a failure here changes nothing for the user.
    /// </summary>
    public void Dispose()
    {
        if (_cached)
        {
            try
            {
                foreach (var statement in SparkEventsSql.Cleanup)
                {
                    using var bounded = new CancellationTokenSource(timeout);
                    client.Sql(statement, bounded.Token);
                }

                client.Release();
            }
            catch (Exception e) when (e is SqlException or SourceException or OperationCanceledException)
            {
                // The session expires on the server by itself (spark.connect.session.manager.defaultSessionTimeout).
            }
        }

        client.Dispose();
    }

    private static long Whole(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
