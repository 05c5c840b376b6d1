using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;

namespace GameApi.Analytics.Engine;

/// <summary>How a result column of a DuckDB type is read into .NET.</summary>
internal enum ColumnReading
{
    /// <summary>As DuckDB.NET gives it (numbers, booleans, text, UUIDs, timestamps), but decimals as <see cref="DuckDbColumns.Reading"/> says.</summary>
    Value,

    /// <summary>Lists, structs, maps, unions (and JSON values) as JSON text: DuckDB.NET turns them into generic
    /// collections through reflection, fails on a NULL inside a list, and prints as a type name.</summary>
    Json,

    /// <summary>Dates, times, intervals, blobs, bit strings: as DuckDB writes them (2026-01-01, 3 days),
    /// not as .NET's defaults for the types DuckDB.NET picks (01/01/2026, 3.00:00:00, a stream).</summary>
    Text,
}

/// <summary>Which columns of a result DuckDB.NET reads poorly, and a rewrite of the query in which DuckDB turns those into text.</summary>
internal static class DuckDbColumns
{
    private static readonly HashSet<string> Values = new(StringComparer.OrdinalIgnoreCase)
    {
        "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
        "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
        "VARCHAR", "UUID", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "NULL",
    }; // not TIMESTAMP_NS: .NET's DateTime counts 100 ns, so it is read as text

    /// <param name="type">A type as DESCRIBE names it: <c>INTEGER[]</c>, <c>STRUCT(a INTEGER)</c>, <c>DECIMAL(10,2)</c>.</param>
    public static ColumnReading ReadingOf(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Equals("JSON", StringComparison.OrdinalIgnoreCase) || type.EndsWith(']') || type.StartsWith("STRUCT(", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("MAP(", StringComparison.OrdinalIgnoreCase) || type.StartsWith("UNION(", StringComparison.OrdinalIgnoreCase))
        {
            return ColumnReading.Json;
        }

        return Values.Contains(type) || type.StartsWith("DECIMAL(", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("ENUM(", StringComparison.OrdinalIgnoreCase)
            ? ColumnReading.Value
            : ColumnReading.Text;
    }

    /// <summary>
    /// How a column's values are read in .NET: as DuckDB.NET gives them, but a decimal as DuckDB writes it, every digit kept
    /// (.NET's decimal holds 28 or 29 and fails past its range; DECIMAL(38,s) is what SUM and products of
    /// decimals give), as JSON text so that JSON output keeps it a number.
    /// </summary>
    /// <remarks>
    /// Times, intervals and the other types <see cref="ReadingOf"/> reads as text come here only from a
    /// statement that could not be rewritten (DESCRIBE takes no EXECUTE or INSERT ... RETURNING): they are
    /// written as DuckDB writes them, not as .NET's defaults for DuckDB.NET's types (10:15, 3.01:30:00).
    /// </remarks>
    /// <param name="typeName">The column's type as the reader names it (<c>GetDataTypeName</c>): chosen once per
    /// column, not per value, since a large result has millions of values.</param>
    /// <returns>A reader of one value; it throws <see cref="SqlException"/> for a value DuckDB.NET gives only in part.</returns>
    public static Func<DuckDBDataReader, int, object> Reading(string typeName) => typeName switch
    {
        nameof(DuckDBType.Decimal) => static (reader, column) => new JsonText(Digits(reader.GetFieldValue<DuckDBDecimal>(column))),
        nameof(DuckDBType.Time) => static (reader, column) => Clock(reader.GetFieldValue<DuckDBTimeOnly>(column)),
        nameof(DuckDBType.TimeTz) => static (reader, column) => Clock(reader.GetFieldValue<DuckDBTimeTz>(column)),
        // In the session's time zone, UTC (DuckDbEngine.Open), unless the query set another.
        nameof(DuckDBType.TimestampTz) => static (reader, column) => ResultValues.Text(reader.GetDateTime(column)) + "+00",
        nameof(DuckDBType.Interval) => static (reader, column) => Interval(reader.GetFieldValue<DuckDBInterval>(column)),
        nameof(DuckDBType.VarInt) => static (reader, column) => reader.GetFieldValue<BigInteger>(column).ToString(CultureInfo.InvariantCulture), // text, as BIGNUM is elsewhere
        nameof(DuckDBType.TimestampNs) => static (reader, column) => throw CannotShow(reader.GetName(column), "a TIMESTAMP_NS, whose nanoseconds DuckDB.NET does not give"),
        _ => static (reader, column) => reader.GetValue(column),
    };

    /// <summary>The error for a value that cannot be shown as it is: DuckDB's own text of it can.</summary>
    public static SqlException CannotShow(string column, string what) =>
        new($"Column {column} holds {what}; convert it in the query, for example CAST({column} AS VARCHAR).");

    // hh:mm:ss and the microseconds without trailing zeros, as DuckDB writes a TIME (10:15:30.5, 24:00:00).
    private static string Clock(DuckDBTimeOnly time)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{time.Hour:00}:{time.Min:00}:{time.Sec:00}");
        return time.Microsecond == 0 ? text : $"{text}.{time.Microsecond.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0')}";
    }

    // As DuckDB writes a TIMETZ, its offset in seconds east of UTC: 10:00:00+02, 10:00:00+05:30, 10:00:00-03:30:15;
    // DuckDB leaves out minutes or seconds that are zero, even between the others (+01:00:15 as +01:15).
    private static string Clock(DuckDBTimeTz time)
    {
        var size = Math.Abs(time.Offset);
        return Clock(time.Time) + string.Create(CultureInfo.InvariantCulture, $"{(time.Offset < 0 ? '-' : '+')}{size / 3600:00}")
            + (size / 60 % 60 == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $":{size / 60 % 60:00}"))
            + (size % 60 == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $":{size % 60:00}"));
    }

    // IntervalText writes Spark 4's calendar intervals (months, days, time), DuckDB's own kind, as DuckDB does:
    // 1 year 2 months 3 days 01:30:00. DuckDB.NET gives the signed microseconds as an unsigned number.
    private static string Interval(DuckDBInterval interval) =>
        IntervalText.Calendar(interval.Months, interval.Days, checked(unchecked((long)interval.Micros) * 1000));

    // As DuckDB writes a DECIMAL(p,s): s digits after the point, one at least before it (0.50, -1.05, 12).
    private static string Digits(DuckDBDecimal value)
    {
        var unscaled = value.Value.ToBigInteger();
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(value.Scale + 1, '0');
        var text = value.Scale == 0 ? digits : $"{digits[..^value.Scale]}.{digits[^value.Scale..]}";
        return unscaled.Sign < 0 ? "-" + text : text;
    }

    /// <summary>
    /// The query as a subquery whose columns are renamed by position (a result may repeat a name), each
    /// converted as its reading says and given back its name. The query ends on its own line, so a
    /// trailing comment cannot swallow the closing parenthesis.
    /// </summary>
    public static string Rewrite(string sql, IReadOnlyList<string> names, IReadOnlyList<ColumnReading> readings)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(readings);
        var positions = Enumerable.Range(1, names.Count).Select(i => string.Create(CultureInfo.InvariantCulture, $"c{i}")).ToList();
        var select = positions.Select((column, i) => readings[i] switch
        {
            ColumnReading.Json => $"CAST(to_json({column}) AS VARCHAR)", // a JSON value stays as it is
            ColumnReading.Text => $"CAST({column} AS VARCHAR)",
            _ => column,
        } + $" AS {DuckDbEngine.Identifier(names[i])}");
        return $"SELECT {string.Join(", ", select)} FROM (\n{sql.TrimEnd().TrimEnd(';')}\n) AS q({string.Join(", ", positions)})";
    }
}
