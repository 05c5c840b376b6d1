using Microsoft.Extensions.Primitives;

namespace GameApi.Web.Idempotency;

/// <summary>The <c>Idempotency-Key</c> header: one value of 1 to 255 visible ASCII characters.</summary>
internal static class IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>Whether the request's header values make a valid key (a repeated header does not).</summary>
    public static bool TryParse(StringValues values, out string key)
    {
        key = values.Count == 1 ? values[0] ?? "" : "";
        return key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');
    }
}
