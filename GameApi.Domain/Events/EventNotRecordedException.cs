namespace GameApi.Domain.Events;

/// <summary>The event log did not record an event; the action it describes must not be acknowledged.</summary>
public sealed class EventNotRecordedException : Exception
{
    public EventNotRecordedException()
    {
    }

    public EventNotRecordedException(string message)
        : base(message)
    {
    }

    public EventNotRecordedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
