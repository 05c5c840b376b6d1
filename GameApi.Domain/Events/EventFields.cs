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
    /// The names the event itself defines, on every event type: client metadata whose
    /// <see cref="ColumnName"/> is one of theirs (<c>Item</c>, <c>Event-Type</c>, <c>guild.id</c>) is never
    /// written, so a header cannot pass for a domain value, even on an event without that field.
    /// </summary>
    public static IReadOnlyList<string> Reserved { get; } = [EventType, Item, GuildId, EventId, Timestamp];

    private static readonly string[] ReservedColumns = [.. Reserved.Select(ColumnName)];

    /// <summary>Whether the name's column is one of the <see cref="Reserved"/> names' columns.</summary>
    public static bool IsReserved(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // On every request, for every header: folded on the stack.
        var column = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var folded = column[..Fold(name, column)];
        foreach (var reserved in ReservedColumns)
        {
            if (folded.SequenceEqual(reserved))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The column a field is read into by the analytics (and Spark-style tables generally): lowercase, every
    /// run of characters other than a-z and 0-9 one "_", none at either end. Two names with one column name
    /// are one field to a reader (<c>User-Agent</c>, <c>user_agent</c>).
    /// </summary>
    public static string ColumnName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var column = new char[name.Length];
        var length = Fold(name, column);
        return length == 0 ? "field" : new string(column, 0, length);
    }

    // Writes the column name into column (as long as name at most) and returns its length; 0 for a name with no letter or digit.
    private static int Fold(ReadOnlySpan<char> name, Span<char> column)
    {
        var length = 0;
        foreach (var c in name)
        {
            var lower = char.ToLowerInvariant(c); // the Kelvin sign is a k
            if (char.IsAsciiLetterLower(lower) || char.IsAsciiDigit(lower))
            {
                column[length++] = lower;
            }
            else if (length > 0 && column[length - 1] != '_')
            {
                column[length++] = '_';
            }
        }

        return length > 0 && column[length - 1] == '_' ? length - 1 : length;
    }

    /// <summary>The fields every consumer may rely on, in the order the analytics shows them first.</summary>
    public static IReadOnlyList<string> Known { get; } = [EventType, Item, GuildId, EventId, Timestamp, UserAgent, Host];
}
