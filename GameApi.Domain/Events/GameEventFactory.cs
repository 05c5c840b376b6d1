namespace GameApi.Domain.Events;

/// <summary>Stamps new events with an id (the client's action id, else a fresh one) and the current time.</summary>
public sealed class GameEventFactory(TimeProvider time)
{
    public GameEvent Create(string eventType, ClientMetadata client, params EventField[] fields) =>
        new(client.ActionId ?? Guid.NewGuid(), time.GetUtcNow(), eventType, fields, client);
}
