using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using GameApi.Infrastructure.Embedded;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Kafka;

/// <summary>Rejects bad Kafka settings at start, naming the key, instead of failing on the first request.</summary>
public sealed partial class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = KafkaOptions.SectionName + ":";

        // Kafka's own rule (Topic.validate): "." and ".." are refused too, by a real cluster only.
        if (string.IsNullOrWhiteSpace(options.Topic) || !TopicName().IsMatch(options.Topic) || options.Topic is "." or "..")
        {
            failures.Add($"{prefix}{nameof(options.Topic)} must be 1 to 249 characters of letters, digits, '.', '_' or '-', and not '.' or '..' (got '{options.Topic}').");
        }

        if (!options.UsesEmbeddedBroker && BadServer(options.BootstrapServers!) is { } server)
        {
            // librdkafka takes ",,," as no broker and "host:abc" as port 0, and the API would run on the spool forever.
            failures.Add($"{prefix}{nameof(options.BootstrapServers)} must be a comma-separated list of host:port, the port 1 to 65535 and an IPv6 address in brackets ([::1]:9092) (got {(server.Length == 0 ? "an empty entry" : $"'{server}'")} in it).");
        }

        if (options.DeliveryTimeout < MinTimeout || options.DeliveryTimeout > MaxTimeout)
        {
            failures.Add($"{prefix}{nameof(options.DeliveryTimeout)} must be between {Show(MinTimeout)} and {Show(MaxTimeout)} (got {options.DeliveryTimeout}).");
        }

        if (options.StartTimeout < MinTimeout || options.StartTimeout > MaxTimeout)
        {
            failures.Add($"{prefix}{nameof(options.StartTimeout)} must be between {Show(MinTimeout)} and {Show(MaxTimeout)} (got {options.StartTimeout}).");
        }

        if (options.ShutdownFlushTimeout < TimeSpan.Zero || options.ShutdownFlushTimeout > MaxTimeout)
        {
            failures.Add($"{prefix}{nameof(options.ShutdownFlushTimeout)} must be between 0 and {Show(MaxTimeout)} (got {options.ShutdownFlushTimeout}).");
        }

        if (options.Partitions is < 1 or > 10_000)
        {
            failures.Add($"{prefix}{nameof(options.Partitions)} must be between 1 and 10000 (got {options.Partitions}).");
        }

        if (options.UsesEmbeddedBroker)
        {
            try
            {
                _ = EmbeddedKafkaBroker.ParseAddress(options.EmbeddedAddress ?? "");
            }
            catch (EmbeddedBrokerException e)
            {
                failures.Add($"{prefix}{nameof(options.EmbeddedAddress)}: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first entry of a bootstrap list that is not host:port, or null when every one is.</summary>
    private static string? BadServer(string servers)
    {
        foreach (var entry in servers.Split(',').Select(e => e.Trim()))
        {
            var match = Server().Match(entry);
            var fine = match.Success
                && int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                && (!match.Groups["ipv6"].Success || (IPAddress.TryParse(match.Groups["ipv6"].Value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6));
            if (!fine)
            {
                return entry;
            }
        }

        return null;
    }

    // 00:00:00.100 as the README writes it, not TimeSpan's 00:00:00.1000000.
    private static string Show(TimeSpan value) =>
        value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? @"hh\:mm\:ss" : @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-zA-Z0-9._-]{1,249}$")]
    private static partial Regex TopicName();

    // A host name or IPv4 address, or an IPv6 address in brackets; then the port.
    [GeneratedRegex(@"^(?:\[(?<ipv6>[0-9A-Fa-f:.]+)\]|[a-zA-Z0-9._-]+):(?<port>[0-9]{1,5})$")]
    private static partial Regex Server();
}
