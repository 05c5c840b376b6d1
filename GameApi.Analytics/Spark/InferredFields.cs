using GameApi.Analytics.Events;
using GameApi.Analytics.Spark.Protocol;

namespace GameApi.Analytics.Spark;

/// <summary>
/// The fields Spark inferred for the events (a struct, one field per top-level key) as the kinds of JSON
/// values the embedded engine records for a key, so that <see cref="EventSchema"/> names and types the
/// columns by one set of rules on both engines.
/// </summary>
public static class InferredFields
{
    public static IReadOnlyList<SourceField> From(DataType inferred)
    {
        ArgumentNullException.ThrowIfNull(inferred);

        // No records at all: Spark infers an empty struct.
        return inferred.KindCase == DataType.KindOneofCase.Struct
            ? inferred.Struct.Fields.Select(f => new SourceField(f.Name, KindsOf(f.DataType))).ToList()
            : [];
    }

    // Spark's JSON inference (sql/catalyst/.../json/JsonInferSchema.scala): whole numbers are bigint, or
    // decimal(p,0) beyond 64 bits; other numbers double; a mix of kinds is widened to string; null-only and
    // "" fields are string. The embedded engine calls a number beyond 64 bits a float, so decimal is one too.
    private static FieldKinds KindsOf(DataType type) => type.KindCase switch
    {
        DataType.KindOneofCase.Long or DataType.KindOneofCase.Integer or DataType.KindOneofCase.Short or DataType.KindOneofCase.Byte => FieldKinds.Integer,
        DataType.KindOneofCase.Double or DataType.KindOneofCase.Float or DataType.KindOneofCase.Decimal => FieldKinds.Float,
        DataType.KindOneofCase.Boolean => FieldKinds.Boolean,
        DataType.KindOneofCase.Struct or DataType.KindOneofCase.Array or DataType.KindOneofCase.Map => FieldKinds.Nested,
        DataType.KindOneofCase.Null => FieldKinds.Null,
        _ => FieldKinds.String,
    };
}
