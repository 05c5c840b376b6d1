namespace GameApi.Domain.Events;

/// <summary>Stamps new events with a fresh id and the current time.</summary>
public sealed class GameEventFactory(TimeProvider time)
{
    public GameEvent Create(string eventType, ClientMetadata client, params EventField[] fields) =>
        new(Guid.NewGuid(), time.GetUtcNow(), eventType, fields, client);
}
