namespace GameApi.Analytics.Output;

/// <summary>The --output file could not be written (permissions, a full disk): the user's to fix, not the query's.</summary>
public sealed class OutputException : Exception
{
    public OutputException(string path, string reason, Exception innerException)
        : base($"cannot write --output '{path}': {reason}", innerException)
    {
    }

    public OutputException()
    {
    }

    public OutputException(string message)
        : base(message)
    {
    }

    public OutputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
