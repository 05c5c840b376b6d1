using System.Text.Json;

namespace GameApi.Web;

/// <summary>The one line a failed start prints.</summary>
internal static class StartFailure
{
    /// <summary>
    /// The exception's message; for a configuration file that cannot be read, with those of its causes:
    /// "Failed to load configuration from file '...'" wraps "Could not parse the JSON file", which wraps
    /// the JSON error, and only together do they say which file is wrong, and where.
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not InvalidDataException)
        {
            return exception.Message;
        }

        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add(e is JsonException { LineNumber: { } line, BytePositionInLine: { } position } json
                ? $"{WithoutPosition(json.Message)} (line {line + 1}, byte {position + 1})"
                : e.Message.TrimEnd('.'));
        }

        return string.Join(": ", parts) + ".";
    }

    // System.Text.Json ends its messages with a zero-based " LineNumber: 0 | BytePositionInLine: 34.",
    // which an editor (counting from 1) would place one line and one column early.
    private static string WithoutPosition(string message)
    {
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at < 0 ? message : message[..at]).TrimEnd('.', ' ');
    }
}
