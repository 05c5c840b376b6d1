using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Spark;

namespace GameApi.Tests.Analytics.Spark;

/// <summary>Spark's nested results (arrays, structs, maps) become JSON text, as the embedded engine's do.</summary>
public class ArrowRowsTests
{
    [Test]
    public void NestedValues_AreJsonText_DatesIsoDates_IntervalsAsTheEmbeddedEngineWritesThem()
    {
        var list = new ListArray.Builder(Int64Type.Default);
        var items = (Int64Array.Builder)list.ValueBuilder;
        list.Append();
        items.Append(1).AppendNull();
        list.AppendNull();

        var structType = new StructType([new Field("a", Int64Type.Default, true), new Field("b", StringType.Default, true)]);
        var structure = new StructArray(structType, 2,
            [new Int64Array.Builder().Append(1).Append(2).Build(), new StringArray.Builder().Append("x").AppendNull().Build()], ArrowBuffer.Empty, nullCount: 0);

        var map = new MapArray.Builder(new MapType(StringType.Default, Int64Type.Default));
        map.Append();
        ((StringArray.Builder)map.KeyBuilder).Append("k");
        ((Int64Array.Builder)map.ValueBuilder).Append(2);
        map.Append();

        var dates = new Date32Array.Builder().Append(new DateOnly(2026, 1, 2)).AppendNull().Build();
        var durations = new DurationArray.Builder(DurationType.Microsecond).Append(TimeSpan.FromDays(3)).AppendNull().Build();
        var months = new YearMonthIntervalArray.Builder().Append(new Apache.Arrow.Scalars.YearMonthInterval(14)).AppendNull().Build();
        using var batch = new RecordBatch.Builder()
            .Append("list", true, list.Build())
            .Append("struct", true, structure)
            .Append("map", true, map.Build())
            .Append("date", true, dates)
            .Append("interval", true, durations)
            .Append("months", true, months)
            .Build();

        var rows = new List<object?[]>();
        var columns = ArrowRows.Read(Ipc(batch), rows);

        Assert.That(columns, Is.EqualTo(new[] { "list", "struct", "map", "date", "interval", "months" }));
        Assert.That(rows[0], Is.EqualTo(new object?[] { new JsonText("[1,null]"), new JsonText("""{"a":1,"b":"x"}"""), new JsonText("""{"k":2}"""), new DateOnly(2026, 1, 2), "3 days", "1 year 2 months" }));
        Assert.That(rows[1], Is.EqualTo(new object?[] { null, new JsonText("""{"a":2,"b":null}"""), new JsonText("{}"), null, null, null }));
        Assert.That(ResultValues.Text(rows[0][3]), Is.EqualTo("2026-01-02"));
    }

    [Test]
    public void FixedSizeLists_AreJsonArrays()
    {
        var pairs = new FixedSizeListArray.Builder(Int64Type.Default, 2);
        var items = (Int64Array.Builder)pairs.ValueBuilder;
        pairs.Append();
        items.Append(1).Append(2);
        pairs.Append();
        items.Append(3).AppendNull();
        using var batch = new RecordBatch.Builder().Append("pair", true, pairs.Build()).Build();

        var rows = new List<object?[]>();
        ArrowRows.Read(Ipc(batch), rows);

        Assert.That(rows.Select(r => r[0]), Is.EqualTo(new object[] { new JsonText("[1,2]"), new JsonText("[3,null]") }));
    }

    [Test]
    public void Decimals_BeyondDotNetsRange_ExactDigitsAsJsonNumber_OthersDecimal()
    {
        var type = new Decimal128Type(38, 2);
        var decimals = new Decimal128Array.Builder(type)
            .Append(new System.Data.SqlTypes.SqlDecimal(decimal.Parse("12.5", System.Globalization.CultureInfo.InvariantCulture)))
            .Append(System.Data.SqlTypes.SqlDecimal.Parse("123456789012345678901234567890123456.78"))
            .Build();
        using var batch = new RecordBatch.Builder().Append("d", true, decimals).Build();

        var rows = new List<object?[]>();
        ArrowRows.Read(Ipc(batch), rows);

        Assert.That(rows[0][0], Is.EqualTo(12.50m));
        Assert.That(rows[1][0], Is.EqualTo(new JsonText("123456789012345678901234567890123456.78")));
    }

    [Test]
    public void LargeStrings_CalendarIntervals_AsTheirSmallerKin()
    {
        var strings = new LargeStringArray.Builder().Append("big").AppendNull().Build();
        var calendar = new MonthDayNanosecondIntervalArray.Builder()
            .Append(new Apache.Arrow.Scalars.MonthDayNanosecondInterval(14, 3, 5_400_000_000_000))
            .Append(new Apache.Arrow.Scalars.MonthDayNanosecondInterval(0, 0, 0))
            .Build();
        using var batch = new RecordBatch.Builder().Append("s", true, strings).Append("i", true, calendar).Build();

        var rows = new List<object?[]>();
        ArrowRows.Read(Ipc(batch), rows);

        Assert.That(rows[0], Is.EqualTo(new object?[] { "big", "1 year 2 months 3 days 01:30:00" }));
        Assert.That(rows[1], Is.EqualTo(new object?[] { null, "00:00:00" }));
    }

    [Test]
    public void TypeNotShown_ClearErrorNamingIt()
    {
        var times = new Time64Array.Builder(TimeUnit.Microsecond).Append(1000L).Build();
        using var batch = new RecordBatch.Builder().Append("t", true, times).Build();

        var error = Assert.Throws<SqlException>(() => ArrowRows.Read(Ipc(batch), []));

        Assert.That(error!.Message, Does.Contain("time64").And.Contain("CAST(column AS STRING)"));
    }

    // Spark 4.x: a VARIANT column is a struct of value and metadata binaries marked variant=true (ArrowUtils.scala).
    [Test]
    public void Variant_Refused_NamingTheColumnAndTheConversion()
    {
        var variantType = new StructType([new Field("value", BinaryType.Default, false), new Field("metadata", BinaryType.Default, false)]);
        var variant = new StructArray(variantType, 1,
            [new BinaryArray.Builder().Append([12, 1]).Build(), new BinaryArray.Builder().Append([1, 0, 0]).Build()], ArrowBuffer.Empty, nullCount: 0);
        var schema = new Schema.Builder().Field(new Field("v", variantType, true, [new KeyValuePair<string, string>("variant", "true")])).Build();
        using var batch = new RecordBatch(schema, [variant], 1);

        var error = Assert.Throws<SqlException>(() => ArrowRows.Read(Ipc(batch), []));

        Assert.That(error!.Message, Does.Contain("Column v holds VARIANT values").And.Contain("to_json(v)"));
    }

    private static byte[] Ipc(RecordBatch batch)
    {
        using var stream = new MemoryStream();
        using (var writer = new ArrowStreamWriter(stream, batch.Schema))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }

        return stream.ToArray();
    }
}
