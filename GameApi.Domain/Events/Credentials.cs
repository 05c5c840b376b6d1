using System.Buffers;
using System.Text.RegularExpressions;

namespace GameApi.Domain.Events;

/// <summary>
/// Keeps secrets a client sends out of the event log: by a name (Authorization, Cookie, X-Api-Key,
/// X-Password, ...) and by the look of a value (an HTTP authorization scheme, a JSON Web Token, a
/// password in a URL, a token in a URL's query). Heuristics that err towards leaving out: a harmless
/// header dropped costs a column; a secret written to the event log cannot be taken back.
/// </summary>
public static partial class Credentials
{
    /// <summary>What stands in a URL for a password or a credential query parameter's value.</summary>
    public const string Redacted = "REDACTED";

    // Words that mark a name as carrying a secret, among its letters and digits: the standard headers
    // (Authorization, Proxy-Authorization, Cookie) and the usual custom ones (X-Api-Key, X-Auth-Token,
    // X-Access-Token, X-Amz-Security-Token, X-CSRF-Token, X-Session-Id, X-Hub-Signature, X-Password,
    // X-Bearer, X-JWT, X-OTP).
    private static readonly SearchValues<string> Words = SearchValues.Create(
        ["auth", "cookie", "token", "secret", "pass", "pwd", "key", "bearer", "jwt", "otp", "session", "credential", "signature", "csrf", "xsrf"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a name's value is a secret, never written to the event log: Authorization, Cookie, X-Api-Key, ...</summary>
    public static bool IsCredentialName(string name)
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

        return letters[..length].ContainsAny(Words);
    }

    /// <summary>
    /// The value as it may be written: null when it is a credential whatever its name (<c>Bearer ...</c>,
    /// <c>Basic ...</c>, a JWT); otherwise with a URL's password and the values of its credential query
    /// parameters (<c>access_token=</c>, <c>api_key=</c>, <c>X-Amz-Signature=</c>) replaced by <see cref="Redacted"/>.
    /// </summary>
    public static string? Scrub(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Cheap tests first: this runs for every header of every request, and most values have none of these.
        if (AuthorizationScheme().IsMatch(value) || (value.Contains("eyJ", StringComparison.Ordinal) && JsonWebToken().IsMatch(value)))
        {
            return null;
        }

        if (value.Contains('@', StringComparison.Ordinal) && value.Contains("://", StringComparison.Ordinal))
        {
            value = UrlPassword().Replace(value, "$1" + Redacted + "@");
        }

        return value.Contains('=', StringComparison.Ordinal)
            ? QueryParameter().Replace(value, m => IsCredentialName(m.Groups["name"].Value) ? m.Groups["name"].Value + "=" + Redacted : m.Value)
            : value;
    }

    // RFC 9110's credentials: a scheme, then its token (Basic, Bearer, Digest, ... as IANA registers them, and AWS's).
    [GeneratedRegex(@"^\s*(Basic|Bearer|Digest|Negotiate|NTLM|OAuth|Hawk|HOBA|Mutual|SCRAM-SHA-\d+|Token|AWS4-HMAC-SHA256)\s+\S", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationScheme();

    // Three base64url parts, the first an encoded JSON object ("{\"" is eyJ): a JWT (RFC 7519) or a JWS.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex JsonWebToken();

    // scheme://user:password@host: the user stays, the password goes (RFC 3986 deprecates it there).
    [GeneratedRegex(@"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:\s]*:)[^/?#@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    // name=value after ?, & or ; (a URL's query, a Forwarded header's pairs).
    [GeneratedRegex(@"(?<=[?&;]\s*)(?<name>[^=&;?#\s]+)=[^&;#\s]*", RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();
}
