using GameApi.Analytics.Events;

namespace GameApi.Analytics.Engine;

/// <summary>Where the SQL runs. Every report is plain SQL over the <c>events</c> table.</summary>
public interface IAnalyticsEngine : IDisposable
{
    /// <summary>Makes the source's events queryable as the table <c>events</c>.</summary>
    /// <exception cref="Events.SourceException">The source cannot be reached or read.</exception>
    void LoadEvents(EventSource source);

    /// <exception cref="SqlException">The query is not valid or fails.</exception>
    QueryResult Query(string sql);

    /// <summary>Each column of <c>events</c>: column, type, events (carrying it), percent.</summary>
    QueryResult Schema();

    /// <summary>Writes a query's result to a Parquet file.</summary>
    /// <exception cref="SqlException">The query is not valid or fails.</exception>
    void ExportParquet(string sql, string path);
}
