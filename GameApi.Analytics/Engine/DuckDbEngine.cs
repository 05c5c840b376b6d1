using System.Globalization;
using System.IO.Hashing;
using System.Text;
using DuckDB.NET.Data;
using GameApi.Analytics.Events;
using GameApi.Analytics.Output;

namespace GameApi.Analytics.Engine;

/// <summary>DuckDB in this process: the default engine, nothing to install.</summary>
public sealed class DuckDbEngine : IAnalyticsEngine
{
    private readonly DuckDBConnection _connection = new("DataSource=:memory:");
    private readonly Task _opening;
    private readonly CancellationToken _ending;
    private ScratchFolder? _scratch;
    private CancellationTokenRegistration _removeAtEnd;

    /// <param name="ending">Cancelled just before the process ends at once (Ctrl+C), when Dispose will not run.</param>
    public DuckDbEngine(CancellationToken ending = default)
    {
        _ending = ending;
        // Loading DuckDB's native library takes a noticeable part of a short run: do it while the events are being read.
        _opening = Task.Run(Open, CancellationToken.None);
    }

    private EventSnapshot? _snapshot;
    private TimeWindow _window = TimeWindow.All;

    // Timestamps are UTC on every machine, as on the Spark engine: DuckDB would otherwise use the local zone
    // to turn an ISO 8601 time with an offset into a TIMESTAMP.
    private void Open()
    {
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = "SET TimeZone = 'UTC'";
        command.ExecuteNonQuery();
    }

    /// <summary>The version of the DuckDB library this program runs, as DuckDB names it (v1.5.6).</summary>
    public static string Version()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return connection.ServerVersion;
    }

    /// <summary>Reads the events here (file or topic) into a snapshot file, then views it as <c>events</c>.</summary>
    public void LoadEvents(EventSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var scratch = ScratchFolder.Create();
        _scratch = scratch;
        // A copy of the events can be hundreds of MB: removed even when the process ends at once.
        _removeAtEnd = _ending.Register(scratch.Remove);
        using (source.Progress)
        {
            var folder = scratch.Folder.FullName;
            _snapshot = source.InputFile is { } input
                ? FileSource.Read(input, folder, InputLength(input) is > 0 and var length ? source.Progress?.Bytes(length) : null)
                : ReadTopic(source, folder);
        }

        if (_snapshot.Skipped > 0)
        {
            var what = source.InputFile is null ? "message" : "line";
            // "Readable": also objects I-JSON rules out (a name twice, an unpaired surrogate), which DuckDB refuses.
            source.Notices.WriteLine(_snapshot.Skipped == 1
                ? $"Skipped 1 {what} that is not a readable JSON object."
                : $"Skipped {_snapshot.Skipped} {what}s that are not readable JSON objects.");
        }

        if (_snapshot.Duplicates > 0)
        {
            source.Notices.WriteLine($"Counted {_snapshot.Duplicates} resent event{(_snapshot.Duplicates == 1 ? "" : "s")} once (same event_id).");
        }

        _opening.GetAwaiter().GetResult();
        _window = source.Window;
        Execute(EventsViewSql(_snapshot, _window));
    }

    // What the progress counts against: none for a missing file (FileSource says so) or a pipe (no length).
    private static long InputLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private EventSnapshot ReadTopic(EventSource source, string scratch)
    {
        using var kafka = new KafkaSource(source.BootstrapServers, source.Topic, source.Timeout);
        return source.CacheRoot is { } root
            // Another run updating the same cache is waited for: its read makes this one short.
            ? new TopicCache(root, kafka, TimeSpan.FromMinutes(10), new ParquetSegments(this)).Read(source.Progress?.Events(), source.Notices.WriteLine)
            : kafka.Read(scratch, source.Progress?.Events(), source.Notices.WriteLine);
    }

    /// <summary>From the reading pass, with no query; counted by a query when a time window left events out.</summary>
    public QueryResult Schema()
    {
        var snapshot = _snapshot ?? throw new InvalidOperationException("Load the events first.");
        // The reading pass counts each key; an event with two spellings of one column (Host and host) is
        // still one event carrying it, which only a query over the rows counts. So are the times that
        // parse (an odd timestamp is NULL in the table), as on Spark.
        if (!_window.IsAll || snapshot.Schema.Columns.Any(c => c.Keys.Count > 1 || (c.Type == ColumnType.Timestamp && c.Keys.Count > 0)))
        {
            return ColumnCounts.Result(snapshot.Schema, Read(ColumnCounts.Sql(snapshot.Schema, Identifier), readings: null).Rows.Single());
        }

        var events = snapshot.Schema.Events;
        var rows = snapshot.Schema.Columns.Select(c =>
        {
            var carried = c.Keys.Count > 0 ? c.EventsWithValue : snapshot.HasKafkaMetadata ? events : 0;
            var share = events == 0 ? 0 : Math.Round(100.0 * carried / events, 2);
            return new object?[] { c.Name, c.Type.ToString().ToLowerInvariant(), carried, share };
        }).ToList();
        return new QueryResult(["column", "type", "events", "percent"], rows);
    }

    /// <summary>
    /// A view straight over the JSON Lines file with every column declared: DuckDB parses each line once
    /// per query, in parallel, and a report reads only the columns it names. The file is a snapshot
    /// that does not change during the run, so every query sees the same events.
    /// </summary>
    public static string EventsViewSql(EventSnapshot snapshot, TimeWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        window ??= TimeWindow.All;
        var read = EventsSelectSql(snapshot);
        return window.IsAll
            ? $"CREATE OR REPLACE VIEW events AS {read}"
            : $"CREATE OR REPLACE VIEW events AS SELECT * FROM ({read}) AS e WHERE {window.Condition(Identifier(EventSchema.TimestampColumn))}";
    }

    // The table's rows: from the lines, or from the columnar files the cache wrote from the same SELECT.
    private static string EventsSelectSql(EventSnapshot snapshot)
    {
        var columns = snapshot.Schema.Columns;
        if (snapshot.Schema.Events == 0 || (snapshot.JsonLinesPaths.Count == 0 && snapshot.ColumnarPaths is not { Count: > 0 }))
        {
            // No file to read: the same columns, no rows.
            return "SELECT "
                + string.Join(", ", columns.Select(c => $"CAST(NULL AS {SqlType(c.Type)}) AS {Identifier(c.Name)}"))
                + " WHERE false";
        }

        if (snapshot.ColumnarPaths is { Count: > 0 } columnar)
        {
            return $"SELECT * FROM read_parquet([{string.Join(", ", columnar.Select(Literal))}])";
        }

        // read_json matches keys case-sensitively but cannot declare two that differ only in case (its struct
        // names are case-insensitive); then every key is extracted from the line's JSON instead (slower).
        var keys = columns.SelectMany(c => c.Keys).Concat(snapshot.HasKafkaMetadata ? EventSnapshot.MetadataKeys.Select(m => m.Key) : []);
        // Nor an empty key ("" is a name JSON allows and no SQL identifier).
        var byPointer = keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1) || keys.Contains("");
        string Read(string key, string type) => byPointer
            ? (type == "VARCHAR" ? Pointer(key) : $"TRY_CAST({Pointer(key)} AS {type})")
            : Identifier(key);

        var select = new List<string>();
        var declared = new List<string>();
        foreach (var column in columns.Where(c => c.Keys.Count > 0))
        {
            // The event's timestamp is read as text and parsed here, so one odd value is NULL, not a failed query.
            var isTime = column.Type == ColumnType.Timestamp;
            var type = isTime ? "VARCHAR" : SqlType(column.Type);
            declared.AddRange(column.Keys.Select(k => $"{Literal(k)}: '{type}'"));
            var value = column.Keys.Count == 1 ? Read(column.Keys[0], type) : $"COALESCE({string.Join(", ", column.Keys.Select(k => Read(k, type)))})";
            select.Add($"{(isTime ? ParsedTimestamp(value) : value)} AS {Identifier(column.Name)}");
        }

        foreach (var (key, name) in EventSnapshot.MetadataKeys)
        {
            var type = SqlType(columns.Single(c => c.Name == name).Type);
            if (snapshot.HasKafkaMetadata)
            {
                // The timestamp travels as milliseconds since the epoch: cheaper to write than text.
                var isTime = name == EventSchema.KafkaTimestamp;
                declared.Add($"{Literal(key)}: '{(isTime ? "BIGINT" : type)}'");
                select.Add($"{(isTime ? RecordTimestamp(Read(key, "BIGINT")) : Read(key, type))} AS {Identifier(name)}");
            }
            else
            {
                select.Add($"CAST(NULL AS {type}) AS {Identifier(name)}");
            }
        }

        var files = snapshot.JsonLinesPaths.Count == 1 ? Literal(snapshot.JsonLinesPaths[0]) : $"[{string.Join(", ", snapshot.JsonLinesPaths.Select(Literal))}]";
        return byPointer
            ? $"SELECT {string.Join(", ", select)} FROM read_ndjson_objects({files}) AS r(json)"
            : $"SELECT {string.Join(", ", select)} "
                + $"FROM read_json({files}, format = 'newline_delimited', columns = {{{string.Join(", ", declared)}}})";
    }

    /// <summary>
    /// Cache segments as Parquet files of the table's rows, written by the very SELECT the view runs over
    /// lines: the same columns, types and values, read without parsing JSON. The signature is that SELECT's
    /// text, which changes with any column or type.
    /// </summary>
    internal sealed class ParquetSegments(DuckDbEngine engine) : ISegmentConverter
    {
        public string Signature(EventSchema schema) =>
            XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(EventsSelectSql(Lines("segment.jsonl", schema)))).ToString("x16", CultureInfo.InvariantCulture);

        public void Convert(string jsonLinesPath, EventSchema schema, string columnarPath)
        {
            engine._opening.GetAwaiter().GetResult();
            try
            {
                engine.Execute($"COPY ({EventsSelectSql(Lines(jsonLinesPath, schema))}) TO {Literal(columnarPath)} (FORMAT parquet)");
            }
            catch (SqlException e)
            {
                // It reads the cache's own file with the cache's own SQL: what fails is writing (a full disk).
                throw new IOException($"Could not write {columnarPath}: {e.Message}", e);
            }
        }

        private static EventSnapshot Lines(string path, EventSchema schema) => new([path], schema, 0, 0, HasKafkaMetadata: true);
    }

    // One key of the line's JSON as text (objects and arrays as their JSON text), by JSON Pointer (RFC 6901).
    private static string Pointer(string key) =>
        $"json_extract_string(json, {Literal("/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))})";

    // ISO 8601 with or without an offset; the session's time zone is UTC (see Open), so the result is UTC.
    // - Text ending in Z (what the API writes) is UTC already and parses faster as a plain TIMESTAMP.
    // - Text with no zone at all goes to the plain cast too: DuckDB's TIMESTAMPTZ cast (ICU) keeps the zone
    //   of the last value that named one ("... America/New_York") and applies it to the zone-less values
    //   after it in the same chunk (DuckDB 1.5), which would shift them by hours.
    // - Only a four-digit year from 0001 is a time: DuckDB also reads "epoch", "infinity", signed and
    //   five-digit years, which no event means and .NET cannot hold; an offset that moves a time past
    //   either end of the years 1 to 9999 makes it NULL too.
    private static string ParsedTimestamp(string text)
    {
        var withZone = $"CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)";
        return $"CASE WHEN {text} LIKE '____-%Z' AND {text} >= '0001' THEN TRY_CAST({text} AS TIMESTAMP) "
            + $"WHEN NOT (regexp_matches({text}, '^\\d{{4}}-') AND {text} >= '0001') THEN NULL "
            + $"WHEN regexp_full_match({text}, '\\d{{4}}-\\d\\d-\\d\\d([T ]\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?)?') THEN TRY_CAST({text} AS TIMESTAMP) "
            + $"ELSE {TimeWindow.WithinYears1To9999(withZone)} END";
    }

    // A producer sets a record's timestamp to any 64-bit number: outside the years 1 to 9999 it is NULL.
    private static string RecordTimestamp(string milliseconds) => string.Create(CultureInfo.InvariantCulture,
        $"CASE WHEN {milliseconds} BETWEEN {DateTimeOffset.MinValue.ToUnixTimeMilliseconds()} AND {DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()} "
        + $"THEN CAST(epoch_ms({milliseconds}) AS TIMESTAMP) END");

    /// <summary>
    /// Runs the statements in order; the last one's result is the answer (none when it has none). When
    /// DuckDB can describe that statement first, its lists, structs, maps, dates and other types DuckDB.NET
    /// reads poorly are converted to text in the engine (see <see cref="DuckDbColumns"/>).
    /// </summary>
    public QueryResult Query(string sql)
    {
        var last = RunAllButLast(sql);
        var columns = Describe(last);
        var readings = columns?.Select(c => DuckDbColumns.ReadingOf(c.Type)).ToList();
        if (readings is not null && readings.Any(r => r != ColumnReading.Value))
        {
            try
            {
                return Read(DuckDbColumns.Rewrite(last, columns!.Select(c => c.Name).ToList(), readings), readings);
            }
            catch (SqlException)
            {
                // Not a query that can be a subquery: run it as written.
            }
        }

        return Read(last, readings: null);
    }

    // Runs every statement but the last, each on its own, and returns the last: which statement's result
    // is the answer must not depend on which statements have one. Split as DuckDB reads strings ('' inside,
    // no backslash escapes).
    private string RunAllButLast(string sql)
    {
        var statements = SqlStatements.Split(sql, backslashEscapes: false);
        if (statements.Count == 0)
        {
            throw new SqlException("The query has no statement, only comments or semicolons.");
        }

        foreach (var statement in statements.SkipLast(1))
        {
            Execute(statement);
        }

        return statements[^1];
    }

    // The result's columns without running the query; null for what DESCRIBE does not take (SHOW,
    // PRAGMA, SET, statements with no result), which then runs as written.
    private List<(string Name, string Type)>? Describe(string sql)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DESCRIBE " + sql;
            using var reader = command.ExecuteReader();
            var columns = new List<(string, string)>();
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }

            return columns;
        }
        catch (Exception e) when (e is DuckDBException or InvalidOperationException)
        {
            return null;
        }
    }

    private QueryResult Read(string sql, List<ColumnReading>? readings)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            return ReadResult(reader, readings);
        }
        catch (DuckDBException e)
        {
            throw new SqlException(e.Message, e);
        }
        catch (InvalidOperationException e) when (ParameterProblem(e) is { } problem)
        {
            throw problem;
        }
        catch (Exception e) when (e is InvalidCastException or NotSupportedException)
        {
            throw Unreadable(e);
        }
    }

    private static QueryResult ReadResult(DuckDBDataReader reader, List<ColumnReading>? readings)
    {
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<object?[]>();
        Func<DuckDBDataReader, int, object>[]? reads = null;
        while (reader.Read())
        {
            reads ??= Enumerable.Range(0, reader.FieldCount).Select(i => DuckDbColumns.Reading(reader.GetDataTypeName(i))).ToArray();
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null
                    : readings?[i] == ColumnReading.Json ? new JsonText(reader.GetString(i))
                    : Checked(ValueAt(reader, i, reads[i]));
            }

            rows.Add(row);
        }

        return new QueryResult(names, rows);
    }

    // A query can make values .NET cannot hold (DuckDB's infinity or a year past 9999 as a time, an interval
    // past TimeSpan's range); the events table has none.
    private static object ValueAt(DuckDBDataReader reader, int column, Func<DuckDBDataReader, int, object> read)
    {
        try
        {
            return read(reader, column);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException or OverflowException)
        {
            var isTime = reader.GetFieldType(column) == typeof(DateTime) || reader.GetFieldType(column) == typeof(DateOnly);
            throw DuckDbColumns.CannotShow(reader.GetName(column), isTime
                ? "a time this program cannot show (infinity, or outside the years 1 to 9999)"
                : $"a value this program cannot show ({reader.GetDataTypeName(column)})");
        }
    }

    // A list, struct, map or blob in a statement that could not be described, so was not rewritten.
    private static object Checked(object value) =>
        value is string || value is not (System.Collections.IEnumerable or Stream) ? value : throw Unreadable(null);

    private static SqlException Unreadable(Exception? e)
    {
        const string Message = "The result has a list, struct, map or blob column that cannot be shown as it is; convert it with to_json(...) or CAST(... AS VARCHAR).";
        return e is null ? new SqlException(Message) : new SqlException(Message, e);
    }

    /// <summary>Runs the statements in order and writes the last one's result to the file.</summary>
    /// <exception cref="OutputException">The file cannot be written.</exception>
    public void ExportParquet(string sql, string path)
    {
        // On lines of their own: a comment ending the query would otherwise swallow the parenthesis.
        var copy = $"COPY (\n{RunAllButLast(sql)}\n) TO {Literal(path)} (FORMAT parquet)";
        try
        {
            Execute(copy);
        }
        catch (SqlException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
            // DuckDB names the file when it cannot open or write it: not the query's fault.
            throw new OutputException(path, e.Message.Replace("IO Error: ", "", StringComparison.Ordinal), e);
        }
    }

    private void Execute(string sql)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        catch (DuckDBException e)
        {
            throw new SqlException(e.Message, e);
        }
        catch (InvalidOperationException e) when (ParameterProblem(e) is { } problem)
        {
            throw problem;
        }
    }

    // DuckDB.NET checks a statement's parameters ($1, ?) before running it; the command line passes none.
    private static SqlException? ParameterProblem(InvalidOperationException e) =>
        e.Message.Contains("parameters", StringComparison.OrdinalIgnoreCase)
            ? new SqlException($"{e.Message}: the command line passes no parameters ($1, ?); write the values into the query.", e)
            : null;

    private static string SqlType(ColumnType type) => type switch
    {
        ColumnType.Integer => "BIGINT",
        ColumnType.Float => "DOUBLE",
        ColumnType.Boolean => "BOOLEAN",
        ColumnType.Timestamp => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public void Dispose()
    {
        _removeAtEnd.Dispose();
        try
        {
            // Waited for (the connection is not disposed under it), not rethrown: a failed open has reached the caller
            // through LoadEvents already, or another error is on its way out (the librdkafka one), which this must not replace.
            _opening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            _ = _opening.Exception;
        }
        finally
        {
            _connection.Dispose();
            try
            {
                _scratch?.Dispose();
                if (_snapshot?.RunFolder is { } run)
                {
                    Directory.Delete(run, recursive: true);
                }
            }
            catch (IOException)
            {
                // A leftover temp folder is not worth failing the run for.
            }
        }
    }
}
