namespace GameApi.Domain.Events;

/// <summary>The port through which the domain records events.</summary>
public interface IEventLogger
{
    /// <summary>
    /// Records the event durably. Completes only once it is recorded; throws
    /// <see cref="EventNotRecordedException"/> when it could not be.
    /// </summary>
    Task LogAsync(GameEvent gameEvent, CancellationToken cancellationToken);
}
