using GameApi.Analytics.Events;

namespace GameApi.Analytics.Engine;

/// <summary>Where the SQL runs. Every report is plain SQL over the <c>events</c> table.</summary>
public interface IAnalyticsEngine : IDisposable
{
    /// <summary>Makes the snapshot's events queryable as the table <c>events</c>.</summary>
    void LoadEvents(EventSnapshot snapshot);

    /// <exception cref="SqlException">The query is not valid or fails.</exception>
    QueryResult Query(string sql);

    /// <summary>Writes a query's result to a Parquet file.</summary>
    /// <exception cref="SqlException">The query is not valid or fails.</exception>
    void ExportParquet(string sql, string path);
}
