namespace GameApi.Infrastructure.Spool;

/// <summary>The spool cannot take an event: it is full, or its file cannot be written.</summary>
public sealed class SpoolException : Exception
{
    public SpoolException()
    {
    }

    public SpoolException(string message)
        : base(message)
    {
    }

    public SpoolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
