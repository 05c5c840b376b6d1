namespace GameApi.Domain.Events;

/// <summary>
/// The names of an event's fields, defined once: the domain writes them, and the analytics (both
/// engines, the built-in reports) and the tests read them from here.
/// </summary>
public static class EventFields
{
    public const string EventType = "event_type";
    public const string EventId = "event_id";
    public const string Timestamp = "timestamp";

    /// <summary><c>purchase_item</c>: the item, or "missing" / "invalid".</summary>
    public const string Item = "item";

    /// <summary><c>join_guild</c>: the guild as a number, or "missing" / "invalid".</summary>
    public const string GuildId = "guild_id";

    /// <summary>Client metadata the reports use: the request header of that name, as the client sent it.</summary>
    public const string UserAgent = "User-Agent";

    public const string Host = "Host";

    /// <summary>
    /// The names the event itself defines, on every event type: a header of one of these names (any letter
    /// case) is never written, so a header cannot pass for a domain value, even on an event without that field.
    /// </summary>
    public static IReadOnlyList<string> Reserved { get; } = [EventType, Item, GuildId, EventId, Timestamp];

    /// <summary>The fields every consumer may rely on, in the order the analytics shows them first.</summary>
    public static IReadOnlyList<string> Known { get; } = [EventType, Item, GuildId, EventId, Timestamp, UserAgent, Host];
}
