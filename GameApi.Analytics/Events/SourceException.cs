namespace GameApi.Analytics.Events;

/// <summary>The event source cannot be reached or read (exit code 1).</summary>
public sealed class SourceException : Exception
{
    public SourceException()
    {
    }

    public SourceException(string message)
        : base(message)
    {
    }

    public SourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
