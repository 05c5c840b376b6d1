namespace GameApi.Analytics.Engine;

/// <summary>The engine rejected a query (exit code 2). The message is the engine's own.</summary>
public sealed class SqlException : Exception
{
    public SqlException()
    {
    }

    public SqlException(string message)
        : base(message)
    {
    }

    public SqlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
