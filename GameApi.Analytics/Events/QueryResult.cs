namespace GameApi.Analytics.Events;

/// <summary>A query's answer, engine-independent: column names and rows of .NET values (null for NULL).</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);
