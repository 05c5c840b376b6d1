using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Output;

/// <summary>
/// One report for the page: a title, its rows, and how to chart them; for lines over time, the size of
/// the buckets, so that a bucket without events is drawn as 0.
/// </summary>
public sealed record HtmlSection(string Title, QueryResult Result, HtmlChart Chart, TimeSpan? Bucket = null);

/// <summary>Bars (a count per value: first column, then events), or one line per event type over time (bucket, event_type, events).</summary>
public enum HtmlChart
{
    Bars,
    LinesOverTime,
}

/// <summary>
/// The reports as one self-contained HTML page that opens offline: a Vega-Lite chart per report, the table
/// under it; the charting library (Vega, Vega-Lite, vega-embed, inlined from the program's resources,
/// ADR 0006), styles and data all in the page, nothing fetched.
/// </summary>
public static class HtmlReport
{
    private static readonly string[] Libraries = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"];

    // How a missing value (NULL) is labelled: apart from any text a client sends, such as "NULL".
    private const string Missing = "(missing)";

    // Past this many points (buckets times event types), empty buckets are not filled in: points are drawn
    // without lines instead, so that no line crosses a gap.
    private const int MaxFilledPoints = 200_000;

    public static void Write(IReadOnlyList<HtmlSection> sections, string subtitle, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(output);
        output.Write("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>GameApi report</title>\n");
        output.Write("<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}section{margin-bottom:3rem}"
            + "table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}"
            + "td{max-width:40rem;overflow-wrap:anywhere}td.n{text-align:right}td.missing{font-style:italic;color:#777}.chart{margin:1rem 0}</style>\n");
        foreach (var library in Libraries)
        {
            output.Write("<script>");
            // A library's text can not end the element early: "</script" inside it is written "<\/script",
            // the same string to JavaScript.
            output.Write(Resource(library).Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase));
            output.Write("</script>\n");
        }

        output.Write($"</head>\n<body>\n<h1>GameApi report</h1>\n<p>{Html(subtitle)}</p>\n");
        for (var i = 0; i < sections.Count; i++)
        {
            output.Write($"<section>\n<h2>{Html(sections[i].Title)}</h2>\n<div class=\"chart\" id=\"chart-{i}\"></div>\n");
            WriteTable(sections[i].Result, output);
            output.Write("</section>\n");
        }

        // Each chart says when it drew (data-drawn) or why it could not (data-error, and the console).
        output.Write("<script>\nconst specs = ");
        output.Write(Specs(sections));
        output.Write("""
;
specs.forEach((spec, i) => {
  const element = document.getElementById('chart-' + i);
  vegaEmbed(element, spec, { mode: 'vega-lite', renderer: 'svg', actions: false })
    .then(() => { element.dataset.drawn = 'true'; })
    .catch(error => { element.dataset.error = String(error); console.error(error); });
});
</script>
</body>
</html>
""");
    }

    private static void WriteTable(QueryResult result, TextWriter output)
    {
        output.Write("<table>\n<tr>");
        foreach (var column in result.Columns)
        {
            output.Write($"<th>{Html(column)}</th>");
        }

        output.Write("</tr>\n");
        foreach (var row in result.Rows)
        {
            output.Write("<tr>");
            foreach (var value in row)
            {
                output.Write(value switch
                {
                    null => $"<td class=\"missing\">{Missing}</td>",
                    long or int or double or decimal => $"<td class=\"n\">{Html(ResultValues.Text(value)!)}</td>",
                    _ => $"<td>{Html(ResultValues.Text(value)!)}</td>",
                });
            }

            output.Write("</tr>\n");
        }

        output.Write("</table>\n");
    }

    // Vega-Lite specs with the data inline. The JSON is escaped for a <script> element: the default
    // encoder writes <, > and & as \u escapes, so no value can close the element.
    private static string Specs(IReadOnlyList<HtmlSection> sections)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            json.WriteStartArray();
            foreach (var section in sections)
            {
                if (section.Chart == HtmlChart.Bars)
                {
                    WriteBars(json, section.Result);
                }
                else
                {
                    WriteLines(json, section.Result, section.Bucket);
                }
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteBars(Utf8JsonWriter json, QueryResult result)
    {
        json.WriteStartObject();
        json.WriteNumber("width", 640);
        var label = Labels(result.Rows.Select(r => r[0]));
        WriteValues(json, result.Rows.Select(r => (label(r[0]), r[1])), "value", "events");
        json.WriteString("mark", "bar");
        json.WriteStartObject("encoding");
        json.WriteStartObject("y");
        json.WriteString("field", "value");
        json.WriteString("type", "nominal");
        json.WriteString("sort", "-x");
        json.WriteString("title", result.Columns[0]);
        json.WriteEndObject();
        json.WriteStartObject("x");
        json.WriteString("field", "events");
        json.WriteString("type", "quantitative");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteLines(Utf8JsonWriter json, QueryResult result, TimeSpan? bucket)
    {
        var points = Points(result, bucket);
        json.WriteStartObject();
        json.WriteNumber("width", 640);
        json.WriteStartObject("data");
        json.WriteStartArray("values");
        foreach (var (time, eventType, events) in points.Values)
        {
            json.WriteStartObject();
            json.WriteString("bucket", time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("event_type", eventType);
            json.WriteNumber("events", events);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("mark");
        json.WriteString("type", points.Filled ? "line" : "point");
        if (points.Filled)
        {
            json.WriteBoolean("point", true);
        }

        json.WriteEndObject();
        json.WriteStartObject("encoding");
        foreach (var (channel, field, type) in new[] { ("x", "bucket", "temporal"), ("y", "events", "quantitative"), ("color", "event_type", "nominal") })
        {
            json.WriteStartObject(channel);
            json.WriteString("field", field);
            json.WriteString("type", type);
            if (channel == "x")
            {
                json.WriteStartObject("scale");
                json.WriteString("type", "utc"); // the buckets are UTC
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter json, IEnumerable<(string Label, object? Count)> rows, string label, string count)
    {
        json.WriteStartObject("data");
        json.WriteStartArray("values");
        foreach (var (text, value) in rows)
        {
            json.WriteStartObject();
            json.WriteString(label, text);
            json.WritePropertyName(count);
            ResultValues.WriteJson(json, value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// The rows of (bucket, event type, events) as points, with a 0 for every bucket of the span in which an
    /// event type had no events: a line drawn from one bucket to the next with events would otherwise
    /// show events where there were none. Not filled (Filled false) when the bucket size is unknown or
    /// the points would be too many to draw.
    /// </summary>
    internal static (IReadOnlyList<(DateTime Bucket, string EventType, long Events)> Values, bool Filled) Points(QueryResult result, TimeSpan? bucket)
    {
        var label = Labels(result.Rows.Select(r => r[1]));
        var rows = result.Rows.Select(r => (
            Bucket: DateTime.Parse(ResultValues.Text(r[0])!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            EventType: label(r[1]),
            Events: Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        if (rows.Count == 0 || bucket is not { Ticks: > 0 } size)
        {
            return (rows, false);
        }

        var (first, last) = (rows.Min(r => r.Bucket), rows.Max(r => r.Bucket));
        var types = rows.Select(r => r.EventType).Distinct(StringComparer.Ordinal).ToList();
        var buckets = (last - first).Ticks / size.Ticks + 1;
        if (buckets * types.Count > MaxFilledPoints)
        {
            return (rows, false);
        }

        var counts = rows.ToDictionary(r => (r.Bucket, r.EventType), r => r.Events);
        var filled = new List<(DateTime, string, long)>((int)(buckets * types.Count));
        for (var time = first; time <= last; time += size)
        {
            filled.AddRange(types.Select(type => (time, type, counts.GetValueOrDefault((time, type)))));
        }

        return (filled, true);
    }

    /// <summary>
    /// A chart label for each distinct value of a column: the text as the table shows it, NULL as
    /// <see cref="Missing"/>. A chart tells its values apart by label only, so a label two values would
    /// share (a client's text "(missing)" beside NULL) gets a number on the later one.
    /// </summary>
    internal static Func<object?, string> Labels(IEnumerable<object?> values)
    {
        var labels = new Dictionary<(bool IsNull, string Text), string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in values.Select(Key).Distinct().OrderBy(k => !k.IsNull))
        {
            var shown = key.IsNull ? Missing : ResultWriter.Visible(key.Text);
            var label = shown;
            for (var n = 2; !taken.Add(label); n++)
            {
                label = $"{shown} ({n})";
            }

            labels[key] = label;
        }

        return value => labels[Key(value)];

        static (bool IsNull, string Text) Key(object? value) => ResultValues.Text(value) is { } text ? (false, text) : (true, "");
    }

    // Control characters and bidirectional overrides, which any game client can send, shown as escapes
    // (as in the terminal's table): an override would make one value read as another.
    private static string Html(string text) => WebUtility.HtmlEncode(ResultWriter.Visible(text));

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("vendor/" + name)
            ?? throw new InvalidOperationException($"The charting library {name} is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
