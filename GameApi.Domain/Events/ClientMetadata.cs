using System.Buffers;

namespace GameApi.Domain.Events;

/// <summary>
/// Name/value pairs a client sent with its request (for HTTP, the headers). Events carry them so that
/// consumers of the original API keep their user-agent and host breakdowns. Credentials never enter.
/// Also the client's own id for the action, when it gave one so that a retry is known as the same action.
/// </summary>
public sealed class ClientMetadata
{
    // Words that mark a name as carrying a secret, among its letters and digits: the standard headers
    // (Authorization, Proxy-Authorization, Cookie) and the usual custom ones (X-Api-Key, X-Auth-Token,
    // X-Access-Token, X-Amz-Security-Token, X-CSRF-Token, X-Session-Id, X-Hub-Signature). Dropping a
    // harmless header by mistake costs a column; a secret written to the event log cannot be taken back.
    private static readonly SearchValues<string> CredentialWords = SearchValues.Create(
        ["auth", "cookie", "token", "secret", "password", "passwd", "apikey", "accesskey", "privatekey", "session", "credential", "signature", "csrf", "xsrf"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a name's value is a secret, never written to the event log: Authorization, Cookie, X-Api-Key, ...</summary>
    public static bool IsCredential(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // On every request, for every header: its letters and digits gathered on the stack.
        var letters = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var length = 0;
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                letters[length++] = c;
            }
        }

        return letters[..length].ContainsAny(CredentialWords);
    }

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
    /// names are kept as the client spelled them the first time; credentials are dropped.
    /// </summary>
    public static ClientMetadata From(IEnumerable<KeyValuePair<string, IEnumerable<string?>>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var merged = new Dictionary<string, MetadataEntry>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var (name, values) in pairs)
        {
            // Neither a secret nor a name the events define themselves (a header cannot pass for the item).
            if (IsCredential(name) || EventFields.IsReserved(name))
            {
                continue;
            }

            var joined = string.Join(", ", values.Where(v => v is not null));
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
