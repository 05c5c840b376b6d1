using System.Reflection;
using GameApi.Infrastructure.Idempotency;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Settings;

/// <summary>
/// Checks the Kafka, Spool and Idempotency settings before the host starts, all sections at once, one
/// message per problem. Left to the options themselves, the first section resolved stops the start
/// (the others' problems show only once it is fixed), a value that is no number or duration is reported
/// by the binder with neither the form nor the range expected, and the host prints each with a stack trace.
/// </summary>
public static class SettingsCheck
{
    /// <summary>What is wrong with the settings, one message per problem, naming the key; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var configuration = services.GetRequiredService<IConfiguration>();
        return
        [
            .. Problems<KafkaOptions>(services, configuration.GetSection(KafkaOptions.SectionName)),
            .. Problems<SpoolOptions>(services, configuration.GetSection(SpoolOptions.SectionName)),
            .. Problems<IdempotencyOptions>(services, configuration.GetSection(IdempotencyOptions.SectionName)),
        ];
    }

    /// <summary>
    /// Keys in the checked sections that no setting binds, each with the key probably meant when one is
    /// close: the binder ignores them, so "Kafka:BootstrapServer" would silently start the in-memory broker.
    /// Also top-level keys that are a setting's environment variable with one underscore, not two.
    /// </summary>
    public static IReadOnlyList<(string Key, string? Meant)> UnknownKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var unknown = new List<(string, string?)>();
        foreach (var (section, options) in Sections)
        {
            var known = Keys(options).Select(p => p.Name).ToList();
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    unknown.Add((child.Path, Closest(child.Key, known) is { } meant ? $"{section}:{meant}" : null));
                }
            }

            // An environment variable with one underscore (Kafka_BootstrapServers, or Docker's
            // KAFKA_BOOTSTRAP_SERVERS) is a top-level key of its own: only two underscores make a section.
            foreach (var top in configuration.GetChildren())
            {
                if (SingleUnderscore(top.Key, section, known) is { } meant)
                {
                    unknown.Add((top.Key, $"{section}__{meant}"));
                }
            }
        }

        return unknown;
    }

    // The known key that SECTION_KEY names, underscores within the key ignored (BOOTSTRAP_SERVERS).
    private static string? SingleUnderscore(string key, string section, IEnumerable<string> known)
    {
        if (key.Length <= section.Length + 1 || !key.StartsWith(section + "_", StringComparison.OrdinalIgnoreCase) || key.Contains("__", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = key[(section.Length + 1)..].Replace("_", "", StringComparison.Ordinal);
        return known.FirstOrDefault(k => string.Equals(k, rest, StringComparison.OrdinalIgnoreCase));
    }

    private static readonly (string Section, Type Options)[] Sections =
    [
        (KafkaOptions.SectionName, typeof(KafkaOptions)),
        (SpoolOptions.SectionName, typeof(SpoolOptions)),
        (IdempotencyOptions.SectionName, typeof(IdempotencyOptions)),
    ];

    // The known key fewest edits away (a letter missed, doubled or swapped), if it is near enough to be a slip.
    private static string? Closest(string key, IEnumerable<string> known) => known
        .Select(k => (Key: k, Distance: Distance(key.ToUpperInvariant(), k.ToUpperInvariant())))
        .Where(k => k.Distance <= Math.Max(2, k.Key.Length / 4))
        .OrderBy(k => k.Distance)
        .Select(k => k.Key)
        .FirstOrDefault();

    // Levenshtein distance.
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>The options' settable properties, which are the section's keys.</summary>
    internal static IEnumerable<PropertyInfo> Keys(Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    private static List<string> Problems<T>(IServiceProvider services, IConfigurationSection section)
        where T : class, new()
    {
        // Bound one key at a time, as the binder converts them, so that one unreadable value does not hide the rest.
        var options = new T();
        var unreadable = new Dictionary<string, (string Value, Type Type)>(StringComparer.Ordinal);
        foreach (var property in Keys(typeof(T)))
        {
            if (section[property.Name] is not { } value)
            {
                continue;
            }

            try
            {
                property.SetValue(options, section.GetValue(property.PropertyType, property.Name));
            }
            catch (InvalidOperationException)
            {
                // Below every range, so that the validator says what range the key has.
                unreadable[$"{section.Path}:{property.Name}"] = (value, property.PropertyType);
                property.SetValue(options, BelowEveryRange(property.PropertyType));
            }
        }

        var failures = services.GetServices<IValidateOptions<T>>()
            .Select(validator => validator.Validate(Options.DefaultName, options))
            .Where(result => result.Failed)
            .SelectMany(result => result.Failures ?? [])
            .ToList();
        var problems = new List<string>();
        foreach (var (key, (value, type)) in unreadable)
        {
            var range = failures.FirstOrDefault(f => f.StartsWith(key + " must be ", StringComparison.Ordinal)) is { } failure
                ? ", " + Range(failure[(key.Length + " must be ".Length)..])
                : "";
            problems.Add($"{key} must be {Form(type)}{range} (got '{value}').");
        }

        problems.AddRange(failures.Where(f => !unreadable.Keys.Any(key => f.StartsWith(key + " ", StringComparison.Ordinal))));
        return problems;
    }

    // "between 1 and 10000 (got -2147483648)." -> "between 1 and 10000"
    private static string Range(string requirement)
    {
        var got = requirement.LastIndexOf(" (got ", StringComparison.Ordinal);
        return (got < 0 ? requirement : requirement[..got]).TrimEnd('.');
    }

    private static string Form(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(TimeSpan) => "a duration written [d.]hh:mm:ss[.fff] (10 seconds: 00:00:10, 500 ms: 00:00:00.500, 2 days: 2.00:00:00)",
        var t when t == typeof(int) || t == typeof(long) => "a whole number without a unit",
        var t => $"a {t.Name}",
    };

    private static object? BelowEveryRange(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(TimeSpan) => TimeSpan.MinValue,
        var t when t == typeof(int) => int.MinValue,
        var t when t == typeof(long) => long.MinValue,
        var t => t.IsValueType ? Activator.CreateInstance(t) : null,
    };
}
