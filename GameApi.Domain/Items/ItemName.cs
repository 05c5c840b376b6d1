using System.Diagnostics.CodeAnalysis;

namespace GameApi.Domain.Items;

/// <summary>An item the shop sells. Matched exactly: "Sword" is not "sword".</summary>
public sealed record ItemName
{
    /// <summary>The catalogue: the only items a player can buy.</summary>
    public static IReadOnlySet<string> Catalogue { get; } = new HashSet<string>(["sword", "knife"], StringComparer.Ordinal);

    private ItemName(string value) => Value = value;

    public string Value { get; }

    public static bool TryCreate(string? value, [NotNullWhen(true)] out ItemName? item)
    {
        item = value is not null && Catalogue.Contains(value) ? new ItemName(value) : null;
        return item is not null;
    }

    public override string ToString() => Value;
}
