using System.Globalization;
using System.Text.RegularExpressions;

namespace GameApi.Analytics.Events;

/// <summary>
/// The events a run keeps, by their <c>timestamp</c> (UTC): from <see cref="Since"/> (inclusive) to
/// <see cref="Until"/> (exclusive); either may be open. Events without a timestamp are left out when
/// either bound is set.
/// </summary>
public sealed partial record TimeWindow(DateTime? Since, DateTime? Until)
{
    public static TimeWindow All { get; } = new(null, null);

    public bool IsAll => Since is null && Until is null;

    /// <summary>
    /// A time as the command line takes it: ISO 8601 (<c>2026-12-01</c>, <c>2026-12-01T10:00:00Z</c>,
    /// with any offset; without one, UTC), or a span back from <paramref name="now"/>: a whole number
    /// followed by s, m, h, d or w (<c>90m</c>, <c>24h</c>, <c>7d</c>).
    /// </summary>
    /// <exception cref="FormatException">Neither; the message says what is accepted.</exception>
    public static DateTime ParseTime(string text, DateTime now, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && "smhdw".Contains(trimmed[^1], StringComparison.Ordinal) && trimmed[..^1].All(char.IsAsciiDigit))
        {
            if (!long.TryParse(trimmed[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new FormatException($"{option} '{text}' reaches back before the year 1.");
            }

            var unit = trimmed[^1] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            if (count > (now - DateTime.MinValue).Ticks / unit.Ticks)
            {
                throw new FormatException($"{option} '{text}' reaches back before the year 1.");
            }

            return now - (unit * count);
        }

        // The parser alone is culture-tolerant (01-11-2026 would be 11 January, Nov-01-2026 and 10:00 PM
        // pass): it only reads the value once the text has the ISO shape.
        if (IsoShape().IsMatch(trimmed))
        {
            return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time.UtcDateTime
                : throw new FormatException($"{option} '{text}' is not a time that exists in the years 1 to 9999 (UTC): a day or hour that does not exist, "
                    + "a leap second (:60), an offset beyond ±14:00, or a time an offset moves past either end.");
        }

        throw new FormatException($"{option} must be a time in ISO 8601 (2026-12-01, 2026-12-01T10:00:00Z) or a span back from now (90m, 24h, 7d); got '{text}'.");
    }

    /// <exception cref="FormatException">A bound does not parse, or the window is empty.</exception>
    public static TimeWindow Parse(string? since, string? until, DateTime now)
    {
        var window = new TimeWindow(
            since is null ? null : ParseTime(since, now, "--since"),
            until is null ? null : ParseTime(until, now, "--until"));
        if (window is { Since: { } from, Until: { } to } && from >= to)
        {
            throw new FormatException($"--since ({Text(from)}) must be before --until ({Text(to)}).");
        }

        return window;
    }

    /// <summary>A condition on <paramref name="column"/> that DuckDB and Spark SQL both accept (both sessions are UTC).</summary>
    public string Condition(string column)
    {
        var parts = new List<string>();
        if (Since is { } from)
        {
            parts.Add($"{column} >= TIMESTAMP '{Text(from)}'");
        }

        if (Until is { } to)
        {
            parts.Add($"{column} < TIMESTAMP '{Text(to)}'");
        }

        return parts.Count == 0 ? "true" : string.Join(" AND ", parts);
    }

    /// <summary>
    /// <paramref name="time"/> when it is within the years 1 to 9999, else NULL, in SQL that DuckDB and Spark
    /// SQL both accept: both read times beyond (a year 10000, a negative year), which no event means and
    /// .NET, which shows the results, cannot hold.
    /// </summary>
    public static string WithinYears1To9999(string time) =>
        $"CASE WHEN {time} BETWEEN TIMESTAMP '{Text(DateTime.MinValue)}' AND TIMESTAMP '{Text(DateTime.MaxValue)}' THEN {time} END";

    /// <summary>For the run's notice on stderr.</summary>
    public string Describe() => (Since, Until) switch
    {
        ({ } from, { } to) => $"Events with a timestamp from {Text(from)} to {Text(to)} (UTC, the end excluded).",
        ({ } from, null) => $"Events with a timestamp from {Text(from)} (UTC).",
        (null, { } to) => $"Events with a timestamp before {Text(to)} (UTC).",
        _ => "All events.",
    };

    // A date, optionally a time (T or a space) to the minute, second or any fraction, then Z or an offset.
    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoShape();

    private static string Text(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
