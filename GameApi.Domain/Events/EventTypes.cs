namespace GameApi.Domain.Events;

/// <summary>The values of <c>event_type</c>, as the original API wrote them.</summary>
public static class EventTypes
{
    public const string Default = "default";
    public const string PurchaseSword = "purchase_sword";
    public const string PurchaseItem = "purchase_item";
    public const string JoinGuild = "join_guild";
}
