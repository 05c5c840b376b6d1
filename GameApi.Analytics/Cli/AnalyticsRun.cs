using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Output;
using GameApi.Analytics.Reports;

namespace GameApi.Analytics.Cli;

/// <summary>One run of a command: the engine loads the events, answers the question, and the answer is written.</summary>
public sealed class AnalyticsRun(RunSettings settings, IAnalyticsEngine engine, TextWriter stdout, TextWriter stderr, bool showProgress)
{
    public void Load()
    {
        engine.LoadEvents(new EventSource(
            settings.Input, settings.BootstrapServers, settings.Topic, settings.Timeout, stderr, ProgressLine.Start(stderr, showProgress), settings.Window,
            settings.CacheRoot));
        if (!settings.Window.IsAll)
        {
            stderr.WriteLine(settings.Window.Describe());
        }
    }

    public void Events(int limit)
    {
        if (limit == 0 || Destination().Format == OutputFormat.Parquet)
        {
            Write(limit > 0 ? $"SELECT * FROM events LIMIT {limit}" : "SELECT * FROM events");
            return;
        }

        // One row more than shown tells whether there are more, as Spark's show() says "only showing top 20
        // rows": written to a file, the default 20 are easily taken for all.
        var result = engine.Query($"SELECT * FROM events LIMIT {limit + 1L}");
        WriteResult(result.Rows.Count > limit ? result with { Rows = result.Rows.Take(limit).ToList() } : result);
        if (result.Rows.Count > limit)
        {
            stderr.WriteLine($"Only the first {limit:N0} rows: --limit 0 for all.");
        }
    }

    public void Sql(string query) => Write(query);

    public void Schema() => WriteResult(engine.Schema());

    public void Report()
    {
        var (format, path) = Destination();
        if (format == OutputFormat.Parquet)
        {
            Write(BuiltInReports.Sql); // one flat table: (report, value, bucket, events), time by the minute
            return;
        }

        var combined = engine.Query(BuiltInReports.Sql);
        if (format == OutputFormat.Csv)
        {
            WriteResult(combined); // one flat table: (report, value, bucket, events), time by the minute
            return;
        }

        var reports = BuiltInReports.All.Select(r => (r.Name, r.Title, Result: new QueryResult(
            [r.Column, "events"],
            combined.Rows.Where(row => (string)row[0]! == r.Name).Select(row => new[] { row[1], row[3] }).ToList()))).ToList();
        var overTime = BuiltInReports.OverTime;
        var (unit, buckets) = TimeReport.RollUp(combined.Rows.Where(row => (string)row[0]! == overTime.Name)
            .Select(row => ((string?)row[1], (DateTime)row[2]!, Convert.ToInt64(row[3], System.Globalization.CultureInfo.InvariantCulture))));
        reports.Add((overTime.Name, $"{overTime.Title} (per {unit})", new QueryResult(
            ["bucket", "event_type", "events"],
            buckets.Select(b => new object?[] { b.Bucket.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), b.EventType, b.Events }).ToList())));

        if (format == OutputFormat.Html)
        {
            // Any report over every event type counts each event once.
            var everyEvent = BuiltInReports.All.First(r => r.EventType is null).Name;
            var events = reports.First(r => r.Name == everyEvent).Result.Rows.Sum(r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture));
            var subtitle = $"{events:N0} events from {(settings.Input ?? $"topic '{settings.Topic}' at {settings.BootstrapServers}")}."
                + (settings.Window.IsAll ? "" : $" {settings.Window.Describe()}")
                + $" Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.";
            var sections = reports.Select(r => r.Name == overTime.Name
                ? new HtmlSection(r.Title, r.Result, HtmlChart.LinesOverTime, TimeReport.Length(unit))
                : new HtmlSection(r.Title, r.Result, HtmlChart.Bars)).ToList();
            WriteTo(path, output => HtmlReport.Write(sections, subtitle, output));
            stderr.WriteLine($"Wrote {path}.");
            return;
        }

        WriteTo(path, output =>
        {
            if (format == OutputFormat.Json)
            {
                output.WriteLine(ResultWriter.Json(json =>
                {
                    json.WriteStartObject();
                    foreach (var (name, _, result) in reports)
                    {
                        json.WritePropertyName(name);
                        ResultWriter.WriteJsonArray(result, json);
                    }

                    json.WriteEndObject();
                }));
                return;
            }

            foreach (var (_, title, result) in reports)
            {
                ResultWriter.WriteTable(result, output, title);
                output.WriteLine();
            }
        });
        if (path is not null)
        {
            stderr.WriteLine($"Wrote {path}.");
        }
    }

    // Parquet is written by the engine straight from the query; the rest from the rows.
    private void Write(string sql)
    {
        if (Destination() is (OutputFormat.Parquet, { } path))
        {
            OutputFile.Replace(path, file => engine.ExportParquet(sql, file));
            stderr.WriteLine($"Wrote {path}.");
            return;
        }

        WriteResult(engine.Query(sql));
    }

    private void WriteResult(QueryResult result)
    {
        if (result.Columns.Count == 0)
        {
            // CREATE, COPY, SET and the like: nothing to print, and an empty table would look like an error.
            stderr.WriteLine("Done: the statement returns no result.");
            return;
        }

        var (format, path) = Destination();
        if (format is OutputFormat.Parquet or OutputFormat.Html)
        {
            throw new UsageException($"This command cannot write {format}; use .csv or .json.");
        }

        WriteTo(path, output => ResultWriter.Write(result, format, output));

        if (path is not null)
        {
            stderr.WriteLine($"Wrote {result.Rows.Count} row{(result.Rows.Count == 1 ? "" : "s")} to {path}.");
        }
    }

    private (OutputFormat Format, string? Path) Destination() => Destination(settings);

    /// <summary>The format and file to write; the command line calls it before the source is read, so that a refusal comes first.</summary>
    /// <exception cref="UsageException">The file's format cannot be written by this engine.</exception>
    public static (OutputFormat Format, string? Path) Destination(RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.OutputPath is not { } path)
        {
            return (settings.Format, null);
        }

        var format = OutputFile.FormatOf(path) ?? throw new UsageException(OutputFile.Problem(path)!);
        if (format == OutputFormat.Parquet && settings.Engine == EngineKind.Spark)
        {
            throw new UsageException("Parquet output is written by the embedded engine only; with Spark use .csv or .json.");
        }

        return (format, path);
    }

    // The command line checked the path already; this catches what only writing shows (permissions, a
    // full disk). A closed pipe (| head) is not among them: .NET drops what stdout cannot take then.
    private void WriteTo(string? path, Action<TextWriter> write)
    {
        if (path is not null)
        {
            OutputFile.Replace(path, file =>
            {
                using var output = new StreamWriter(file);
                write(output);
            });
            return;
        }

        try
        {
            using var output = new NonClosingWriter(stdout);
            write(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A closed stdout (>&-) answers EBADF, which .NET reports as access denied.
            throw new OutputException($"cannot write the results to stdout: {(e is UnauthorizedAccessException ? "it is closed or not writable" : e.Message)}", e);
        }
    }

    /// <summary>stdout belongs to the caller: writing through it must not close it.</summary>
    private sealed class NonClosingWriter(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override void Write(string? value) => inner.Write(value);

        public override void Write(ReadOnlySpan<char> buffer) => inner.Write(buffer);

        public override void Flush() => inner.Flush();

        protected override void Dispose(bool disposing)
        {
            inner.Flush();
            base.Dispose(disposing);
        }
    }
}
