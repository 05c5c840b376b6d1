using System.Globalization;

namespace GameApi.Analytics.Cli;

/// <summary>
/// What Kafka takes as a bootstrap list and a topic name, checked before anything is contacted: a typo
/// should be named at once, not after the whole --timeout as an unreachable broker.
/// </summary>
public static class KafkaNames
{
    /// <summary>
    /// Why the list is not one librdkafka reads (<c>bootstrap.servers</c>: host[:port] entries separated by
    /// commas, an optional protocol:// prefix, IPv6 addresses in brackets); null when it is.
    /// </summary>
    public static string? BootstrapProblem(string servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var wrong = servers.Split(',').FirstOrDefault(entry => !IsServer(entry.Trim()));
        return wrong is null
            ? null
            : $"--bootstrap-servers: '{wrong.Trim()}' is not a server (host:port, separated by commas; got '{servers}').";
    }

    /// <summary>Why the name is not a Kafka topic's (Kafka's Topic.validate: 1 to 249 of a-z, A-Z, 0-9, '.', '_', '-'; not "." or ".."); null when it is.</summary>
    public static string? TopicProblem(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var legal = topic.Length is > 0 and <= 249 && topic is not ("." or "..") && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        return legal ? null : $"--topic: '{topic}' is not a topic name (1 to 249 letters, digits, '.', '_' or '-').";
    }

    private static bool IsServer(string entry)
    {
        var scheme = entry.IndexOf("://", StringComparison.Ordinal);
        var address = scheme < 0 ? entry : entry[(scheme + 3)..];
        string host;
        string? port;
        if (address.StartsWith('['))
        {
            var end = address.IndexOf(']', StringComparison.Ordinal);
            if (end < 0)
            {
                return false;
            }

            host = address[1..end];
            var rest = address[(end + 1)..];
            if (rest.Length > 0 && !rest.StartsWith(':'))
            {
                return false;
            }

            port = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            var parts = address.Split(':');
            if (parts.Length > 2)
            {
                return false;
            }

            host = parts[0];
            port = parts.Length == 2 ? parts[1] : null;
        }

        return host.Length > 0 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '%')
            && (port is null || (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535));
    }
}
