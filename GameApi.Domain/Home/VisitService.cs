using GameApi.Domain.Events;

namespace GameApi.Domain.Home;

/// <summary>A visit to the API's root: recorded as the "default" event.</summary>
public sealed class VisitService(IEventLogger eventLogger, GameEventFactory events)
{
    public Task VisitAsync(ClientMetadata client, CancellationToken cancellationToken) =>
        eventLogger.LogAsync(events.Create(EventTypes.Default, client), cancellationToken);
}
