using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GameApi.Domain.Guilds;

/// <summary>A guild's number: a positive whole number that fits a signed 64-bit integer.</summary>
public sealed record GuildId
{
    private GuildId(long value) => Value = value;

    public long Value { get; }

    /// <summary>
    /// Accepts ASCII digits only (leading zeros allowed, so "007" is guild 7). Signs, spaces, decimals,
    /// zero and values past <see cref="long.MaxValue"/> are not guild IDs.
    /// </summary>
    public static bool TryCreate(string? text, [NotNullWhen(true)] out GuildId? guildId)
    {
        guildId = null;
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return false;
        }

        guildId = new GuildId(value);
        return true;
    }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
