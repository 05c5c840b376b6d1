using System.Globalization;

namespace GameApi.Analytics.Spark;

/// <summary>
/// A Spark Connect address as every client writes it: <c>sc://host[:port]/;key=value;...</c>. Known keys:
/// <c>token</c> (a bearer token; implies TLS), <c>use_ssl</c>, <c>user_id</c>, <c>user_agent</c>,
/// <c>session_id</c> (a UUID; without it, a new one per run), <c>grpc_max_message_size</c> (bytes, the largest gRPC message either way;
/// Spark's default 128 MiB); any other key is sent as a gRPC header. Keys are case-sensitive. As in Spark's
/// sql/connect/docs/client-connection-string.md.
/// </summary>
public sealed record SparkConnectionString(
    string Host,
    int Port,
    bool UseTls,
    string? Token,
    string UserId,
    string UserAgent,
    Guid SessionId,
    IReadOnlyDictionary<string, string> Headers,
    int? MaxMessageBytes = null,
    bool SessionIdGiven = false)
{
    public const int DefaultPort = 15002;
    private const string Scheme = "sc://";

    public Uri Endpoint => new($"{(UseTls ? "https" : "http")}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <exception cref="FormatException">Not a Spark Connect address; the message says why.</exception>
    public static SparkConnectionString Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a Spark Connect address: it must start with {Scheme}.");
        }

        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var parameters = slash < 0 ? "" : rest[(slash + 1)..];
        var (host, port) = SplitAuthority(authority, text);

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parameters.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"'{pair}' in '{text}' is not of the form key=value.");
            }

            values[Uri.UnescapeDataString(pair[..equals])] = Uri.UnescapeDataString(pair[(equals + 1)..]);
        }

        var token = Take(values, "token");
        var useSsl = Take(values, "use_ssl") is { } ssl
            ? bool.TryParse(ssl, out var parsed) ? parsed : throw new FormatException($"use_ssl must be true or false, not '{ssl}'.")
            : false;
        var sessionGiven = values.ContainsKey("session_id");
        var sessionId = Take(values, "session_id") is { } session
            ? Guid.TryParseExact(session, "D", out var id) ? id : throw new FormatException($"session_id must be a UUID, not '{session}'.")
            : Guid.NewGuid();
        var maxMessage = Take(values, "grpc_max_message_size") is { } size
            ? int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
                ? bytes
                : throw new FormatException($"grpc_max_message_size must be a number of bytes, not '{size}'.")
            : (int?)null;
        foreach (var (key, value) in values)
        {
            CheckHeader(key, value);
        }

        return new SparkConnectionString(
            host,
            port,
            UseTls: useSsl || token is not null,
            token,
            Take(values, "user_id") ?? Environment.UserName,
            Take(values, "user_agent") ?? "gameapi-analytics",
            sessionId,
            values,
            maxMessage,
            SessionIdGiven: sessionGiven);
    }

    // What gRPC accepts as a custom ASCII header (grpc/doc/PROTOCOL-HTTP2.md: lowercase letters, digits,
    // "-", "_", "."; gRPC keeps "grpc-" for itself; "-bin" means binary): checked here so that a bad key is
    // a usage error naming it, not a failure of the first call.
    private static void CheckHeader(string key, string value)
    {
        var valid = key.Length > 0
            && key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
            && !key.StartsWith("grpc-", StringComparison.Ordinal)
            && !key.EndsWith("-bin", StringComparison.Ordinal)
            && key is not ("content-type" or "te" or "user-agent" or "authorization");
        if (!valid)
        {
            throw new FormatException($"'{key}' cannot be sent as a gRPC header: parameters other than token, use_ssl, user_id, user_agent, session_id "
                + "and grpc_max_message_size become headers, whose names are lowercase letters, digits, '-', '_' and '.' (not grpc-*, *-bin, "
                + "content-type, te, user-agent or authorization).");
        }

        if (!value.All(c => c is >= ' ' and <= '~'))
        {
            throw new FormatException($"The value of '{key}' cannot be sent as a gRPC header: printable ASCII only.");
        }
    }

    private static (string Host, int Port) SplitAuthority(string authority, string text)
    {
        var colon = authority.LastIndexOf(':');
        if (authority.Length == 0 || colon == 0)
        {
            throw new FormatException($"'{text}' names no host.");
        }

        if (colon < 0 || authority.EndsWith(']'))
        {
            return (authority, DefaultPort);
        }

        return int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? (authority[..colon], port)
            : throw new FormatException($"'{authority[(colon + 1)..]}' in '{text}' is not a port.");
    }

    private static string? Take(Dictionary<string, string> values, string key) =>
        values.Remove(key, out var value) ? value : null;

    /// <summary>The address without its secrets, for messages.</summary>
    public override string ToString() => $"{Scheme}{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
