namespace GameApi.Domain.Events;

/// <summary>
/// One player action, as recorded in the event log: its type, the domain fields that describe it,
/// and the metadata the client sent along with it.
/// </summary>
public sealed record GameEvent(
    Guid EventId,
    DateTimeOffset Timestamp,
    string EventType,
    IReadOnlyList<EventField> Fields,
    ClientMetadata Client)
{
    /// <summary>
    /// The event's top-level properties in the order they are written. Client metadata comes last and
    /// never replaces a property the event defines itself: it holds no name of <see cref="EventFields.Reserved"/>
    /// to begin with (see <see cref="ClientMetadata.From"/>), and a domain field of this event outside them
    /// is checked here (case-insensitively), so a client cannot forge the type, a domain value, the id or
    /// the time of an event.
    /// </summary>
    public IEnumerable<EventField> Properties()
    {
        var own = new List<EventField>(Fields.Count + 3) { new(EventFields.EventType, EventType) };
        own.AddRange(Fields);
        own.Add(new(EventFields.EventId, EventId));
        own.Add(new(EventFields.Timestamp, Timestamp));

        // Fields holds one entry or none: no set to build for every event.
        return own.Concat(Client.Entries
            .Where(e => !Fields.Any(f => string.Equals(f.Name, e.Name, StringComparison.OrdinalIgnoreCase)))
            .Select(e => new EventField(e.Name, e.Value)));
    }
}

/// <summary>A named value of an event: a string, a whole number (long), a Guid or a time.</summary>
public readonly record struct EventField(string Name, object Value);
