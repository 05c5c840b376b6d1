using GameApi.Analytics.Engine;

namespace GameApi.Analytics.Spark;

/// <summary>
/// Spark, through Spark Connect: the events table is built in Spark SQL over the Kafka source, so the
/// events never pass through this process; queries run on the cluster.
/// </summary>
public sealed class SparkEngine(SparkConnectClient client) : IAnalyticsEngine
{
    public void LoadEvents(EventSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.InputFile is not null)
        {
            throw new UsageException("--input reads a file on this machine; the Spark engine reads the topic itself. Use the embedded engine for files.");
        }

        foreach (var statement in SparkEventsSql.Statements(source.BootstrapServers, source.Topic))
        {
            client.Sql(statement);
        }
    }

    public QueryResult Query(string sql) => client.Sql(sql);

    public QueryResult Schema()
    {
        var columns = client.Sql("DESCRIBE events").Rows.Select(r => (Name: (string)r[0]!, Type: (string)r[1]!)).ToList();
        var counts = client.Sql(SparkEventsSql.ColumnCounts(columns.Select(c => c.Name))).Rows.Single();
        var events = Convert.ToInt64(counts[0], System.Globalization.CultureInfo.InvariantCulture);
        return new QueryResult(["column", "type", "events", "percent"], columns.Select((c, i) =>
        {
            var carried = Convert.ToInt64(counts[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            return new object?[] { c.Name, c.Type, carried, events == 0 ? 0 : Math.Round(100.0 * carried / events, 2) };
        }).ToList());
    }

    public void ExportParquet(string sql, string path) =>
        throw new UsageException("Parquet output is written by the embedded engine only; with Spark use .csv or .json.");

    public void Dispose() => client.Dispose();
}
