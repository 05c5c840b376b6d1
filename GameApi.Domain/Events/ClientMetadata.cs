namespace GameApi.Domain.Events;

/// <summary>
/// Name/value pairs a client sent with its request (for HTTP, the headers). Events carry them so that
/// consumers of the original API keep their user-agent and host breakdowns. Credentials are left out
/// (<see cref="Credentials"/>).
/// Also the client's own id for the action, when it gave one so that a retry is known as the same action.
/// </summary>
public sealed class ClientMetadata
{
    public static ClientMetadata Empty { get; } = new([]);

    private ClientMetadata(IReadOnlyList<MetadataEntry> entries) => Entries = entries;

    public IReadOnlyList<MetadataEntry> Entries { get; }

    /// <summary>
    /// The same on every retry of one action (for HTTP, derived from its Idempotency-Key), and then the
    /// id of the action's event: an event recorded twice by a retry is one event to the analytics,
    /// which count each event_id once. Null: the action has no id of its own.
    /// </summary>
    public Guid? ActionId { get; private init; }

    public ClientMetadata WithActionId(Guid actionId) => new(Entries) { ActionId = actionId };

    /// <summary>
    /// Builds metadata from named values. A name given several times becomes one value joined with ", ";
    /// names are kept as the client spelled them the first time; credentials are dropped or redacted
    /// (<see cref="Credentials"/>), except in the names of <paramref name="notSecret"/>.
    /// </summary>
    /// <param name="notSecret">Names kept whatever their words (for HTTP, Idempotency-Key: a retry's key, recorded on purpose).</param>
    public static ClientMetadata From(IEnumerable<KeyValuePair<string, IEnumerable<string?>>> pairs, IReadOnlyCollection<string>? notSecret = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var merged = new Dictionary<string, MetadataEntry>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var (name, values) in pairs)
        {
            // Neither a secret nor a name the events define themselves (a header cannot pass for the item).
            var named = notSecret?.Contains(name, StringComparer.OrdinalIgnoreCase) == true;
            if ((!named && Credentials.IsCredentialName(name)) || EventFields.IsReserved(name))
            {
                continue;
            }

            if (Credentials.Scrub(string.Join(", ", values.Where(v => v is not null))) is not { } joined)
            {
                continue;
            }

            if (merged.TryGetValue(name, out var existing))
            {
                merged[name] = existing with { Value = $"{existing.Value}, {joined}" };
            }
            else
            {
                merged[name] = new MetadataEntry(name, joined);
                order.Add(name);
            }
        }

        return new ClientMetadata(order.Select(n => merged[n]).ToArray());
    }
}

public readonly record struct MetadataEntry(string Name, string Value);
