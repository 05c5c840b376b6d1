using System.Text;

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
    /// The names the event itself defines, on every event type: a header whose <see cref="ColumnName"/> is
    /// one of theirs (<c>Item</c>, <c>Event-Type</c>, <c>guild.id</c>) is never written, so a header cannot
    /// pass for a domain value, even on an event without that field.
    /// </summary>
    public static IReadOnlyList<string> Reserved { get; } = [EventType, Item, GuildId, EventId, Timestamp];

    /// <summary>
    /// The column a field is read into by the analytics (and Spark-style tables generally): lowercase, every
    /// run of characters other than a-z and 0-9 one "_", none at either end. Two names with one column name
    /// are one field to a reader (<c>User-Agent</c>, <c>user_agent</c>).
    /// </summary>
    public static string ColumnName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var column = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var lower = char.ToLowerInvariant(c);
            if (char.IsAsciiLetterLower(lower) || char.IsAsciiDigit(lower))
            {
                column.Append(lower);
            }
            else if (column.Length > 0 && column[^1] != '_')
            {
                column.Append('_');
            }
        }

        var trimmed = column.ToString().TrimEnd('_');
        return trimmed.Length == 0 ? "field" : trimmed;
    }

    /// <summary>The fields every consumer may rely on, in the order the analytics shows them first.</summary>
    public static IReadOnlyList<string> Known { get; } = [EventType, Item, GuildId, EventId, Timestamp, UserAgent, Host];
}
