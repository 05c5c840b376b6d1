using System.Numerics;
using System.Text.Json;
using GameApi.Analytics.Spark.Protocol;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>
/// Spark's JSON schema inference, for the stand-in server's Parse relation, written from Spark's
/// sql/catalyst/src/main/scala/org/apache/spark/sql/catalyst/json/JsonInferSchema.scala (3.5 and 4.0 agree):
/// every record read (samplingRatio 1.0); fields sorted by name, case-sensitively; whole numbers bigint, or
/// decimal(p,0) beyond 64 bits (double beyond 38 digits); other numbers double; "" and null are NullType;
/// two kinds that do not widen (long + string, struct + string, ...) become string; structs merge by name;
/// at the end NullType is string and empty structs are dropped (SPARK-8093). DROPMALFORMED: a record that
/// does not parse is ignored.
/// </summary>
internal static class SparkJsonInference
{
    public static DataType Infer(IEnumerable<string> records)
    {
        DataType schema = Struct([]);
        foreach (var record in records)
        {
            try
            {
                using var document = JsonDocument.Parse(record);
                schema = Compatible(schema, TypeOf(document.RootElement));
            }
            catch (JsonException)
            {
            }
        }

        return Canonical(schema) ?? Struct([]);
    }

    private static DataType Kind(Action<DataType> set)
    {
        var type = new DataType();
        set(type);
        return type;
    }

    private static DataType Null => Kind(t => t.Null = new());

    private static DataType String => Kind(t => t.String = new());

    private static DataType Struct(IEnumerable<DataType.Types.StructField> fields) =>
        Kind(t => t.Struct = new DataType.Types.Struct { Fields = { fields.OrderBy(f => f.Name, StringComparer.Ordinal) } });

    private static DataType TypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => Struct(value.EnumerateObject().Select(p => new DataType.Types.StructField { Name = p.Name, DataType = TypeOf(p.Value), Nullable = true })),
        JsonValueKind.Array => Kind(t => t.Array = new DataType.Types.Array { ElementType = value.EnumerateArray().Select(TypeOf).Aggregate(Null, Compatible), ContainsNull = true }),
        JsonValueKind.String => value.GetString()!.Length == 0 ? Null : String,
        JsonValueKind.True or JsonValueKind.False => Kind(t => t.Boolean = new()),
        JsonValueKind.Number => NumberType(value.GetRawText()),
        _ => Null,
    };

    private static DataType NumberType(string text)
    {
        if (text.IndexOfAny(['.', 'e', 'E']) >= 0)
        {
            return Kind(t => t.Double = new());
        }

        if (long.TryParse(text, out _))
        {
            return Kind(t => t.Long = new());
        }

        var digits = BigInteger.Abs(BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        return digits <= 38 ? Kind(t => t.Decimal = new DataType.Types.Decimal { Precision = digits, Scale = 0 }) : Kind(t => t.Double = new());
    }

    private static DataType Compatible(DataType a, DataType b)
    {
        if (a.KindCase == DataType.KindOneofCase.Null)
        {
            return b;
        }

        if (b.KindCase == DataType.KindOneofCase.Null || a.Equals(b))
        {
            return a;
        }

        return (a.KindCase, b.KindCase) switch
        {
            (DataType.KindOneofCase.Long, DataType.KindOneofCase.Double) or (DataType.KindOneofCase.Double, DataType.KindOneofCase.Long) => Kind(t => t.Double = new()),
            (DataType.KindOneofCase.Decimal, DataType.KindOneofCase.Double) or (DataType.KindOneofCase.Double, DataType.KindOneofCase.Decimal) => Kind(t => t.Double = new()),
            (DataType.KindOneofCase.Decimal, DataType.KindOneofCase.Long) or (DataType.KindOneofCase.Long, DataType.KindOneofCase.Decimal) or (DataType.KindOneofCase.Decimal, DataType.KindOneofCase.Decimal) =>
                Kind(t => t.Decimal = new DataType.Types.Decimal { Precision = Math.Max(Precision(a), Precision(b)), Scale = 0 }),
            (DataType.KindOneofCase.Struct, DataType.KindOneofCase.Struct) => Struct(a.Struct.Fields.Concat(b.Struct.Fields)
                .GroupBy(f => f.Name, StringComparer.Ordinal)
                .Select(g => new DataType.Types.StructField { Name = g.Key, DataType = g.Select(f => f.DataType).Aggregate(Null, Compatible), Nullable = true })),
            (DataType.KindOneofCase.Array, DataType.KindOneofCase.Array) =>
                Kind(t => t.Array = new DataType.Types.Array { ElementType = Compatible(a.Array.ElementType, b.Array.ElementType), ContainsNull = true }),
            _ => String,
        };
    }

    private static int Precision(DataType type) => type.KindCase == DataType.KindOneofCase.Decimal ? type.Decimal.Precision : 20;

    private static DataType? Canonical(DataType type) => type.KindCase switch
    {
        DataType.KindOneofCase.Null => String,
        DataType.KindOneofCase.Array => Canonical(type.Array.ElementType) is { } element ? Kind(t => t.Array = new DataType.Types.Array { ElementType = element, ContainsNull = true }) : null,
        DataType.KindOneofCase.Struct => type.Struct.Fields
            .Select(f => (f.Name, Type: Canonical(f.DataType)))
            .Where(f => f.Type is not null)
            .Select(f => new DataType.Types.StructField { Name = f.Name, DataType = f.Type, Nullable = true })
            .ToList() is { Count: > 0 } fields ? Struct(fields) : null,
        _ => type,
    };
}
