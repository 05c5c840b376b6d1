using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Reads <c>Idempotency:Redis</c>, a StackExchange.Redis configuration string, refusing what the library
/// would misread in a way that prints a secret: it takes a URL (<c>redis://:password@host</c>), or the
/// tail of a password after a comma, as a host name, and host names are logged and shown by readiness.
/// No message repeats any part of the value.
/// </summary>
public static class RedisConfiguration
{
    /// <summary>The form expected, for messages.</summary>
    public const string ExpectedForm = "a StackExchange.Redis configuration string such as host:6379,password=... (user=... for an ACL user, ssl=true for TLS)";

    private const string NotShown = "(the value is not shown: it may carry a password)";

    /// <summary>What is wrong with the value, without repeating it; null when it can be used.</summary>
    public static string? Problem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains("://", StringComparison.Ordinal))
        {
            return $"must be {ExpectedForm}, not a URL such as redis://... {NotShown}.";
        }

        var parts = value.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var position = $"part {i + 1} (counting comma-separated parts)";
            ConfigurationOptions parsed;
            try
            {
                parsed = ConfigurationOptions.Parse(part);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                return $"must be {ExpectedForm}: {position} is an option StackExchange.Redis does not know or has a value of the wrong kind {NotShown}.";
            }

            if (part.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            // A server; right after password=, it is the rest of a password that had a comma in it.
            if (i > 0 && parts[i - 1].Trim().StartsWith("password=", StringComparison.OrdinalIgnoreCase))
            {
                return $"must be {ExpectedForm}: {position}, right after password=, would be read as a server; a password cannot contain a comma there, and servers go before the options {NotShown}.";
            }

            if (parsed.EndPoints.Count != 1 || (parsed.EndPoints[0] is DnsEndPoint { Host: var host } && Uri.CheckHostName(host) == UriHostNameType.Unknown))
            {
                return $"must be {ExpectedForm}: {position} is neither an option (name=value) nor a server (host or host:port) {NotShown}.";
            }
        }

        return ConfigurationOptions.Parse(value).EndPoints.Count == 0 ? "names no Redis server (host:port)." : null;
    }

    /// <summary>The configuration, when <see cref="Problem"/> finds none.</summary>
    /// <exception cref="ArgumentException">The value cannot be used; the message does not repeat it.</exception>
    public static ConfigurationOptions Parse(string value) =>
        Problem(value) is { } problem
            ? throw new ArgumentException($"{IdempotencyOptions.SectionName}:{nameof(IdempotencyOptions.Redis)} {problem}", nameof(value))
            : ConfigurationOptions.Parse(value);

    /// <summary>Where Redis is: the servers only (host:port), never an option.</summary>
    public static string Describe(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Join(",", options.EndPoints.Select(Describe));
    }

    /// <summary>One server: host:port.</summary>
    public static string Describe(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        IPEndPoint ip => ip.ToString(),
        _ => "(a server)",
    };
}
