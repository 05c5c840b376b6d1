using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace GameApi.Analytics.Spark;

/// <summary>Turns Spark Connect's Arrow batches (each one complete IPC stream) into rows of .NET values.</summary>
internal static class ArrowRows
{
    /// <summary>Appends the rows of one IPC stream; returns its column names.</summary>
    public static IReadOnlyList<string> Read(ReadOnlyMemory<byte> ipcStream, List<object?[]> rows)
    {
        using var reader = new ArrowStreamReader(ipcStream);
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

    private static object? Value(IArrowArray array, int index)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        return array switch
        {
            StringArray strings => strings.GetString(index),
            BooleanArray booleans => booleans.GetValue(index),
            Int8Array a => (long)a.GetValue(index)!.Value,
            Int16Array a => (long)a.GetValue(index)!.Value,
            Int32Array a => (long)a.GetValue(index)!.Value,
            Int64Array a => a.GetValue(index),
            FloatArray a => (double)a.GetValue(index)!.Value,
            DoubleArray a => a.GetValue(index),
            Decimal128Array a => a.GetValue(index),
            TimestampArray a => a.GetTimestamp(index)?.UtcDateTime,
            Date32Array a => a.GetDateTime(index),
            Date64Array a => a.GetDateTime(index),
            BinaryArray a => Convert.ToBase64String(a.GetBytes(index)),
            _ => array.GetType().Name, // a type the commands never produce: say which
        };
    }
}
