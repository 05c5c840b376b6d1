namespace GameApi.Domain.Events;

/// <summary>
/// Name/value pairs a client sent with its request (for HTTP, the headers). Events carry them so that
/// consumers of the original API keep their user-agent and host breakdowns. Credentials never enter.
/// Also the client's own id for the action, when it gave one so that a retry is known as the same action.
/// </summary>
public sealed class ClientMetadata
{
    // Words that mark a header as carrying a secret, in its name's letters and digits, lowercase: the
    // standard ones (Authorization, Proxy-Authorization, Cookie) and the usual custom ones (X-Api-Key,
    // X-Auth-Token, X-Access-Token, X-Amz-Security-Token, X-CSRF-Token, X-Session-Id, X-Signature).
    // Dropping a harmless header by mistake costs a column; writing a secret into the log cannot be undone.
    private static readonly string[] CredentialWords =
        ["auth", "cookie", "token", "secret", "password", "passwd", "apikey", "accesskey", "privatekey", "session", "credential", "signature", "csrf", "xsrf"];

    /// <summary>Whether a name's value is a secret, never written to the event log (see <c>CredentialWords</c>).</summary>
    public static bool IsCredential(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var letters = string.Concat(name.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();
        return CredentialWords.Any(word => letters.Contains(word, StringComparison.Ordinal));
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
            if (IsCredential(name))
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
