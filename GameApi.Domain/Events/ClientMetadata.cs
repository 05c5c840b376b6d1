namespace GameApi.Domain.Events;

/// <summary>
/// Name/value pairs a client sent with its request (for HTTP, the headers). Events carry them so that
/// consumers of the original API keep their user-agent and host breakdowns. Credentials never enter.
/// </summary>
public sealed class ClientMetadata
{
    /// <summary>Names whose values are secrets: they are never written to the event log.</summary>
    public static IReadOnlySet<string> CredentialNames { get; } =
        new HashSet<string>(["Authorization", "Proxy-Authorization", "Cookie"], StringComparer.OrdinalIgnoreCase);

    public static ClientMetadata Empty { get; } = new([]);

    private ClientMetadata(IReadOnlyList<MetadataEntry> entries) => Entries = entries;

    public IReadOnlyList<MetadataEntry> Entries { get; }

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
            if (CredentialNames.Contains(name))
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
