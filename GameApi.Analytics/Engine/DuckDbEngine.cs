using DuckDB.NET.Data;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Engine;

/// <summary>DuckDB in this process: the default engine, nothing to install.</summary>
public sealed class DuckDbEngine : IAnalyticsEngine
{
    private readonly DuckDBConnection _connection = new("DataSource=:memory:");
    private readonly Task _opening;

    // Loading DuckDB's native library takes about 0.1 s: do it while the events are being read.
    public DuckDbEngine() => _opening = Task.Run(_connection.Open);

    public void LoadEvents(EventSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _opening.GetAwaiter().GetResult();
        Execute(EventsViewSql(snapshot));
    }

    /// <summary>
    /// A view straight over the JSON Lines file with every column declared: DuckDB parses each line once
    /// per query, in parallel, and a report reads only the columns it names. The file is a snapshot
    /// that does not change during the run, so every query sees the same events.
    /// </summary>
    public static string EventsViewSql(EventSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var columns = snapshot.Schema.Columns;
        if (snapshot.Schema.Events == 0)
        {
            // No file to read: the same columns, no rows.
            return "CREATE OR REPLACE VIEW events AS SELECT "
                + string.Join(", ", columns.Select(c => $"CAST(NULL AS {SqlType(c.Type)}) AS {Identifier(c.Name)}"))
                + " WHERE false";
        }

        var select = new List<string>();
        var declared = new List<string>();
        foreach (var column in columns.Where(c => c.Keys.Count > 0))
        {
            var type = SqlType(column.Type);
            declared.AddRange(column.Keys.Select(k => $"{Literal(k)}: '{type}'"));
            var value = column.Keys.Count == 1 ? Identifier(column.Keys[0]) : $"COALESCE({string.Join(", ", column.Keys.Select(Identifier))})";
            select.Add($"{value} AS {Identifier(column.Name)}");
        }

        foreach (var (key, name) in EventSnapshot.MetadataKeys)
        {
            var type = SqlType(columns.Single(c => c.Name == name).Type);
            if (snapshot.HasKafkaMetadata)
            {
                // The timestamp travels as milliseconds since the epoch: cheaper to write than text.
                var isTime = name == EventSchema.KafkaTimestamp;
                declared.Add($"{Literal(key)}: '{(isTime ? "BIGINT" : type)}'");
                select.Add($"{(isTime ? $"CAST(epoch_ms({Identifier(key)}) AS TIMESTAMP)" : Identifier(key))} AS {Identifier(name)}");
            }
            else
            {
                select.Add($"CAST(NULL AS {type}) AS {Identifier(name)}");
            }
        }

        return $"CREATE OR REPLACE VIEW events AS SELECT {string.Join(", ", select)} "
            + $"FROM read_json({Literal(snapshot.JsonLinesPath)}, format = 'newline_delimited', columns = {{{string.Join(", ", declared)}}})";
    }

    public QueryResult Query(string sql)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }

            return new QueryResult(names, rows);
        }
        catch (DuckDBException e)
        {
            throw new SqlException(e.Message, e);
        }
    }

    public void ExportParquet(string sql, string path) =>
        Execute($"COPY ({sql}) TO {Literal(path)} (FORMAT parquet)");

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
    }

    private static string SqlType(ColumnType type) => type switch
    {
        ColumnType.Integer => "BIGINT",
        ColumnType.Float => "DOUBLE",
        ColumnType.Boolean => "BOOLEAN",
        ColumnType.Timestamp => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public void Dispose()
    {
        try
        {
            _opening.GetAwaiter().GetResult();
        }
        finally
        {
            _connection.Dispose();
        }
    }
}
