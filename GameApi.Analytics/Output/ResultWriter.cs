using System.Text.Json;
using CsvHelper;
using GameApi.Analytics.Events;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GameApi.Analytics.Output;

/// <summary>Writes query results as a text table, CSV or JSON (an array of row objects).</summary>
public static class ResultWriter
{
    /// <summary>Table cells longer than this are cut, as Spark's show() does; CSV and JSON are never cut.</summary>
    public const int TableCellWidth = 40;

    // C0, DEL and C1 controls; the line and paragraph separators (U+2028, U+2029), which end a line on some
    // terminals; the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and
    // marks (U+200E, U+200F, U+061C); the invisible format characters (soft hyphen, zero-width space and
    // joiners, word joiner, invisible operators, U+FEFF), which make one value look like another; and the
    // backslash, which starts each escape, so that no text reads as another's escape.
    private static readonly System.Buffers.SearchValues<char> Unseen = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Concat(Enumerable.Range(0x2028, 7)).Concat(Enumerable.Range(0x2066, 4))
            .Concat(Enumerable.Range(0x200B, 5)).Concat(Enumerable.Range(0x2060, 5)).Concat([0x00AD, 0x061C, 0x180E, 0xFEFF, '\\']).Select(c => (char)c)]);

    public static void Write(QueryResult result, OutputFormat format, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        switch (format)
        {
            case OutputFormat.Csv:
                WriteCsv(result, output);
                break;
            case OutputFormat.Json:
                output.WriteLine(Json(json => WriteJsonArray(result, json)));
                break;
            default:
                WriteTable(result, output);
                break;
        }
    }

    public static void WriteTable(QueryResult result, TextWriter output, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 32_000; // never wrap: wide event tables scroll instead
        var table = new Table().Border(TableBorder.Ascii);
        if (title is not null)
        {
            output.WriteLine(title);
        }

        foreach (var column in result.Columns)
        {
            table.AddColumn(new TableColumn(new Text(Visible(column))));
        }

        foreach (var row in result.Rows)
        {
            table.AddRow(row.Select(v => (IRenderable)new Text(Cut(Visible(ResultValues.Text(v) ?? "NULL")))).ToArray());
        }

        console.Write(table);
        output.WriteLine($"{result.Rows.Count} row{(result.Rows.Count == 1 ? "" : "s")}");
    }

    public static void WriteCsv(QueryResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var csv = CsvWriter.Create(output, null, leaveOpen: true);
        foreach (var column in result.Columns)
        {
            csv.WriteField(column);
        }

        csv.EndRecord();
        foreach (var row in result.Rows)
        {
            foreach (var value in row)
            {
                // An empty text is written "" and NULL as nothing, as DuckDB's own CSV does: apart.
                var text = ResultValues.Text(value);
                csv.WriteField(text ?? "", text is { Length: 0 } ? CsvQuoting.Always : CsvQuoting.WhenNeeded);
            }

            csv.EndRecord();
        }

        csv.Flush();
    }

    public static void WriteJsonArray(QueryResult result, Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(json);
        var keys = UniqueKeys(result.Columns);
        json.WriteStartArray();
        foreach (var row in result.Rows)
        {
            json.WriteStartObject();
            for (var i = 0; i < row.Length; i++)
            {
                json.WritePropertyName(keys[i]);
                ResultValues.WriteJson(json, row[i]);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The columns as object keys: a name a query repeats (<c>SELECT 1 a, 2 a</c>) gets a suffix, as DuckDB's
    /// own Parquet output names it (<c>a</c>, <c>a_1</c>); a reader would otherwise keep one of the values.
    /// As in DuckDB, names that differ only in case are the same name, and a suffixed name is taken too:
    /// <c>a, a, a_1, A</c> are <c>a, a_1, a_1_1, A_2</c>.
    /// </summary>
    public static IReadOnlyList<string> UniqueKeys(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        // Each name taken, with the next suffix to try for it.
        var next = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var keys = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var key = columns[i];
            if (next.TryGetValue(key, out var n))
            {
                while (next.ContainsKey($"{columns[i]}_{n}"))
                {
                    n++;
                }

                next[columns[i]] = n + 1;
                key = $"{columns[i]}_{n}";
            }

            next[key] = 1;
            keys[i] = key;
        }

        return keys;
    }

    /// <summary>Indented JSON text, as one string.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    // The table goes to a terminal, and event values come from any client: control characters (an ESC
    // starting a terminal sequence, a newline splitting the row), bidirectional overrides and invisible
    // characters are shown as escapes, \n, \u001b, \u202e, \u200b, not acted on; a backslash as \\.
    // CSV and JSON keep the values exactly.
    internal static string Visible(string text)
    {
        if (!text.AsSpan().ContainsAny(Unseen))
        {
            return text;
        }

        var shown = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = Unseen.Contains(c)
                ? shown.Append(c switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    '\\' => "\\\\",
                    _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                })
                : shown.Append(c);
        }

        return shown.ToString();
    }

    // Cut between characters: not between the two halves of one (an emoji), which would print as U+FFFD.
    private static string Cut(string text)
    {
        if (text.Length <= TableCellWidth)
        {
            return text;
        }

        var kept = char.IsHighSurrogate(text[TableCellWidth - 2]) ? TableCellWidth - 2 : TableCellWidth - 1;
        return string.Concat(text.AsSpan(0, kept), "…");
    }
}
