using GameApi.Domain.Events;

namespace GameApi.Domain.Items;

public enum PurchaseOutcome
{
    Bought,
    Missing,
    Invalid,
}

public sealed record PurchaseResult(PurchaseOutcome Outcome, ItemName? Item);

/// <summary>Purchases from the shop. Every attempt is recorded, refused ones included.</summary>
public sealed class PurchaseService(IEventLogger eventLogger, GameEventFactory events)
{
    public const string MissingValue = "missing";
    public const string InvalidValue = "invalid";

    /// <summary>The legacy purchase of the original API: always a sword, no parameters.</summary>
    public Task PurchaseSwordAsync(ClientMetadata client, CancellationToken cancellationToken) =>
        eventLogger.LogAsync(events.Create(EventTypes.PurchaseSword, client), cancellationToken);

    /// <param name="item">The requested item as sent; null when the client sent none.</param>
    public async Task<PurchaseResult> PurchaseItemAsync(string? item, ClientMetadata client, CancellationToken cancellationToken)
    {
        var result = item is null ? new PurchaseResult(PurchaseOutcome.Missing, null)
            : ItemName.TryCreate(item, out var name) ? new PurchaseResult(PurchaseOutcome.Bought, name)
            : new PurchaseResult(PurchaseOutcome.Invalid, null);

        var recorded = result.Outcome switch
        {
            PurchaseOutcome.Bought => result.Item!.Value,
            PurchaseOutcome.Missing => MissingValue,
            _ => InvalidValue,
        };
        await eventLogger.LogAsync(events.Create(EventTypes.PurchaseItem, client, new EventField(EventFields.Item, recorded)), cancellationToken);
        return result;
    }
}
