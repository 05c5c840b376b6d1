using System.Security.Cryptography;
using System.Text;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// What makes two requests the same request: method, path and query as sent. A SHA-256, so a long
/// query costs the store 64 characters, and a key cannot be matched to another request by accident.
/// </summary>
public readonly record struct RequestFingerprint(string Value)
{
    public static RequestFingerprint Of(string method, string path, string query)
    {
        ArgumentNullException.ThrowIfNull(method);
        var text = $"{method.ToUpperInvariant()}\n{path}\n{query}";
        return new RequestFingerprint(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
    }

    public override string ToString() => Value;
}
