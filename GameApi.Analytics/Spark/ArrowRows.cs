using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Spark;

/// <summary>Turns Spark Connect's Arrow batches (each one complete IPC stream) into rows of .NET values.</summary>
internal static class ArrowRows
{
    /// <summary>Appends the rows of one IPC stream; returns its column names.</summary>
    public static IReadOnlyList<string> Read(ReadOnlyMemory<byte> ipcStream, List<object?[]> rows)
    {
        using var reader = new ArrowStreamReader(ipcStream);
        foreach (var field in reader.Schema.FieldsList)
        {
            RefuseVariant(field, field.Name);
        }

        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                for (var row = 0; row < batch.Length; row++)
                {
                    var values = new object?[batch.ColumnCount];
                    for (var column = 0; column < batch.ColumnCount; column++)
                    {
                        values[column] = Value(batch.Column(column), row);
                    }

                    rows.Add(values);
                }
            }
        }

        return reader.Schema.FieldsList.Select(f => f.Name).ToList();
    }

    // 4.x sends a VARIANT as a struct of two binaries (value, metadata) marked variant=true (ArrowUtils.scala,
    // toArrowField), which would show as two base64 blobs: refused, naming what shows it.
    private static void RefuseVariant(Field field, string column)
    {
        if (field.Metadata?.GetValueOrDefault("variant") == "true")
        {
            throw new SqlException($"Column {column} holds VARIANT values, which this program cannot show; convert them in the query, for example to_json({column}) or CAST({column} AS STRING).");
        }

        var children = field.DataType switch
        {
            StructType structure => structure.Fields,
            ListType list => [list.ValueField],
            LargeListType list => [list.ValueField],
            FixedSizeListType list => [list.ValueField],
            _ => [],
        };
        foreach (var child in children)
        {
            RefuseVariant(child, column);
        }
    }

    private static object? Value(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        return array switch
        {
            StringArray strings => strings.GetString(index),
            LargeStringArray strings => strings.GetString(index), // 4.x with spark.sql.execution.arrow.useLargeVarTypes
            BooleanArray booleans => booleans.GetValue(index),
            Int8Array a => (long)a.GetValue(index)!.Value,
            Int16Array a => (long)a.GetValue(index)!.Value,
            Int32Array a => (long)a.GetValue(index)!.Value,
            Int64Array a => a.GetValue(index),
            FloatArray a => (double)a.GetValue(index)!.Value,
            DoubleArray a => a.GetValue(index),
            Decimal128Array a => Decimal(a, index),
            TimestampArray a => Timestamp(a, index),
            Date32Array a => a.GetDateOnly(index),
            Date64Array a => a.GetDateOnly(index),
            BinaryArray a => Convert.ToBase64String(a.GetBytes(index)),
            LargeBinaryArray a => Convert.ToBase64String(a.GetBytes(index)),
            MonthDayNanosecondIntervalArray a => a.GetValue(index) is { } i ? IntervalText.Calendar(i.Months, i.Days, i.Nanoseconds) : null, // 4.x's calendar intervals
            DurationArray a => IntervalText.DaysAndTime(a.GetTimeSpan(index)!.Value), // Spark's day-time intervals
            YearMonthIntervalArray a => IntervalText.Months(a.GetValue(index)!.Value.Months), // Spark's year-month intervals
            ListArray or LargeListArray or FixedSizeListArray or StructArray => Json(array, index), // a map is a list of key/value structs
            _ => throw new SqlException($"Spark sent a column of Arrow type {array.Data.DataType.Name}, which this program cannot show; convert it in the query, for example CAST(column AS STRING)."),
        };
    }

    // Spark's timestamps reach years past 9999 (make_timestamp, a Kafka record's timestamp); .NET's stop there.
    private static DateTime? Timestamp(TimestampArray array, int index)
    {
        try
        {
            return array.GetTimestamp(index)?.UtcDateTime;
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new SqlException("Spark sent a time outside the years 1 to 9999, which this program cannot show; convert it in the query, for example CAST(column AS STRING).");
        }
    }

    // decimal(38, s) holds more digits than .NET's decimal (28-29): those are kept as their exact digits,
    // still a number in JSON output, as the embedded engine gives them.
    private static object Decimal(Decimal128Array array, int index)
    {
        try
        {
            return array.GetValue(index)!.Value;
        }
        catch (OverflowException)
        {
            return new JsonText(array.GetSqlDecimal(index)!.Value.ToString());
        }
    }

    // Lists, structs and maps as JSON text, as the embedded engine gives them.
    private static JsonText Json(IArrowArray array, int index)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(json, array, index);
        }

        return new JsonText(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    // IPC batches are read whole, so child arrays share their parent's indexes (no slice offsets).
    private static void Write(Utf8JsonWriter json, IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            json.WriteNullValue();
            return;
        }

        switch (array)
        {
            case MapArray map:
                json.WriteStartObject();
                for (var i = map.ValueOffsets[index]; i < map.ValueOffsets[index + 1]; i++)
                {
                    json.WritePropertyName(ResultValues.Text(Value(map.Keys, i)) ?? "null");
                    Write(json, map.Values, i);
                }

                json.WriteEndObject();
                break;
            case ListArray list:
                WriteItems(json, list.Values, list.ValueOffsets[index], list.ValueOffsets[index + 1]);
                break;
            case LargeListArray list:
                WriteItems(json, list.Values, checked((int)list.ValueOffsets[index]), checked((int)list.ValueOffsets[index + 1]));
                break;
            case FixedSizeListArray list:
                var size = ((FixedSizeListType)list.Data.DataType).ListSize;
                WriteItems(json, list.Values, index * size, (index + 1) * size);
                break;
            case StructArray structure:
                var fields = ((StructType)structure.Data.DataType).Fields;
                json.WriteStartObject();
                for (var f = 0; f < fields.Count; f++)
                {
                    json.WritePropertyName(fields[f].Name);
                    Write(json, structure.Fields[f], index);
                }

                json.WriteEndObject();
                break;
            default:
                ResultValues.WriteJson(json, Value(array, index));
                break;
        }
    }

    private static void WriteItems(Utf8JsonWriter json, IArrowArray values, int from, int to)
    {
        json.WriteStartArray();
        for (var i = from; i < to; i++)
        {
            Write(json, values, i);
        }

        json.WriteEndArray();
    }
}
