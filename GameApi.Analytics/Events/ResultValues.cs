using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GameApi.Analytics.Events;

/// <summary>How a result's values read as text and as JSON, the same from every engine and in every output.</summary>
public static partial class ResultValues
{
    /// <summary>One value as JSON: numbers as numbers, <see cref="JsonText"/> as JSON, the rest as text.</summary>
    public static void WriteJson(Utf8JsonWriter json, object? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case JsonText text when Embeddable(text.Json) is { } embedded:
                json.WriteRawValue(embedded, skipInputValidation: true); // just checked
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case long or int or short or sbyte or byte or ushort or uint or ulong or BigInteger:
                json.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            default:
                json.WriteStringValue(Text(value));
                break;
        }
    }

    // The text as JSON, or null to write it as a string. DuckDB's to_json writes non-finite doubles as bare
    // NaN, Infinity and -Infinity, which JSON has no token for: they become strings, as scalar ones do,
    // so that a column keeps one JSON type in every row.
    private static string? Embeddable(string text)
    {
        if (IsJson(text))
        {
            return text;
        }

        var quoted = NonFinite().Replace(text, m => m.Value[0] == '"' ? m.Value : $"\"{m.Value}\"");
        return quoted != text && IsJson(quoted) ? quoted : null;
    }

    // A JSON string (left as it is: "NaN" in it is text), or a bare non-finite number.
    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|-?Infinity|NaN")]
    private static partial Regex NonFinite();

    private static bool IsJson(string text)
    {
        try
        {
            // The engine built the text, so its depth needs no bound; the default, 64, would make a deeply
            // nested value a string.
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = int.MaxValue });
            return true;
        }
        catch (JsonException)
        {
            return false; // then written as a string
        }
    }

    /// <summary>A value as text: numbers and times in invariant, ISO form.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
