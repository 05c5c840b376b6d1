using System.Globalization;
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

        if (string.IsNullOrWhiteSpace(options.Topic) || !TopicName().IsMatch(options.Topic))
        {
            failures.Add($"{prefix}{nameof(options.Topic)} must be 1 to 249 characters of letters, digits, '.', '_' or '-' (got '{options.Topic}').");
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

    // 00:00:00.100 as the README writes it, not TimeSpan's 00:00:00.1000000.
    private static string Show(TimeSpan value) =>
        value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? @"hh\:mm\:ss" : @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-zA-Z0-9._-]{1,249}$")]
    private static partial Regex TopicName();
}
