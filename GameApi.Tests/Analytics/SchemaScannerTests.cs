using System.Text;
using System.Text.Json;
using GameApi.Analytics.Events;
using GameApi.Domain.Events;

namespace GameApi.Tests.Analytics;

public class SchemaScannerTests
{
    private static EventSchema Scan(params string[] lines)
    {
        var scanner = new SchemaScanner();
        foreach (var line in lines)
        {
            scanner.Add(Encoding.UTF8.GetBytes(line));
        }

        return scanner.ToSchema();
    }

    private static EventColumn Column(EventSchema schema, string name) => schema.Columns.Single(c => c.Name == name);

    [Test]
    public void ToSchema_FieldsOnlyInLaterEvents_AreColumnsToo()
    {
        var schema = Scan(
            """{"event_type":"default"}""",
            """{"event_type":"default"}""",
            """{"event_type":"purchase_item","item":"sword","User-Agent":"ua","Host":"h","X-Custom-Header":"x"}""",
            """{"event_type":"join_guild","guild_id":3}""");

        Assert.That(schema.Columns.Select(c => c.Name), Is.SupersetOf(new[] { "event_type", "item", "user_agent", "host", "x_custom_header", "guild_id", "kafka_partition", "kafka_offset", "kafka_timestamp" }));
        Assert.That(Column(schema, "item").EventsWithValue, Is.EqualTo(1));
        Assert.That(Column(schema, "event_type").EventsWithValue, Is.EqualTo(4));
    }

    [Test]
    public void ToSchema_ColumnOrder_KnownFieldsThenByName_WhateverOrderEventsCameIn()
    {
        string[] lines =
        [
            """{"zeta":1,"event_type":"default","Accept":"*/*"}""",
            """{"user_agent":"a","event_id":"1"}""",
            """{"User-Agent":"b","beta":true}""",
        ];

        var forwards = Scan(lines);
        var backwards = Scan([.. lines.Reverse()]);

        Assert.That(forwards.Columns.Select(c => c.Name), Is.EqualTo(new[]
        {
            "event_type", "item", "guild_id", "event_id", "timestamp", "user_agent", "host", "accept", "beta", "zeta",
            "kafka_partition", "kafka_offset", "kafka_timestamp",
        }));
        Assert.That(backwards.Columns.Select(c => (c.Name, string.Join(",", c.Keys))), Is.EqualTo(forwards.Columns.Select(c => (c.Name, string.Join(",", c.Keys)))));
        Assert.That(Column(forwards, "user_agent").Keys, Is.EqualTo(new[] { "User-Agent", "user_agent" }));
    }

    [Test]
    public void ToSchema_NumberInSomeEventsTextInOthers_IsText()
    {
        var schema = Scan("""{"guild_id":1}""", """{"guild_id":"invalid"}""");

        Assert.That(Column(schema, "guild_id").Type, Is.EqualTo(ColumnType.Text));
    }

    [TestCase("""{"v":1}""", """{"v":-20}""", ColumnType.Integer)]
    [TestCase("""{"v":1}""", """{"v":2.5}""", ColumnType.Float)]
    [TestCase("""{"v":1e3}""", """{"v":null}""", ColumnType.Float)]
    [TestCase("""{"v":99999999999999999999}""", """{"v":1}""", ColumnType.Float)]
    [TestCase("""{"v":true}""", """{"v":false}""", ColumnType.Boolean)]
    [TestCase("""{"v":{"a":1}}""", """{"v":[1]}""", ColumnType.Text)]
    [TestCase("""{"v":null}""", """{"w":1}""", ColumnType.Text)]
    [TestCase("""{"v":true}""", """{"v":1}""", ColumnType.Text)]
    public void ToSchema_TypeIsTheOneAllValuesShare(string first, string second, ColumnType expected) =>
        Assert.That(Column(Scan(first, second), "v").Type, Is.EqualTo(expected));

    [TestCase("User-Agent", "user_agent")]
    [TestCase("event_type", "event_type")]
    [TestCase("X--Weird  Name!", "x_weird_name")]
    [TestCase("ÉTÉ", "t")]
    [TestCase("--", "field")]
    public void ColumnName_LowercaseWithRunsOfOthersAsUnderscore(string key, string expected) =>
        Assert.That(EventFields.ColumnName(key), Is.EqualTo(expected));

    // Events written before headers were kept from a domain field's column (or by another producer): the
    // event's own key is read first, whatever sorts before it.
    [Test]
    public void ToSchema_AKnownFieldsOwnSpelling_IsReadFirst()
    {
        var schema = Scan("""{"event_type":"default","Event-Type":"purchase_item","EVENT_TYPE":"x"}""", """{"User-Agent":"a","USER-AGENT":"b"}""");

        Assert.That(Column(schema, "event_type").Keys, Is.EqualTo(new[] { "event_type", "EVENT_TYPE", "Event-Type" }));
        Assert.That(Column(schema, "user_agent").Keys, Is.EqualTo(new[] { "User-Agent", "USER-AGENT" }));
    }

    [Test]
    public void ToSchema_KeysWithTheSameSnakeCaseName_AreOneColumn()
    {
        var schema = Scan("""{"User-Agent":"a"}""", """{"user_agent":"b"}""");

        Assert.That(Column(schema, "user_agent").Keys, Is.EquivalentTo(new[] { "User-Agent", "user_agent" }));
        Assert.That(Column(schema, "user_agent").EventsWithValue, Is.EqualTo(2));
    }

    [Test]
    public void ToSchema_FieldsSeenOnlyInJunk_AreNotColumns()
    {
        var schema = Scan("""{"a":1""", """{"b":1}""");

        Assert.That(schema.Columns.Select(c => c.Name), Has.None.EqualTo("a"));
    }

    [Test]
    public void Add_RepeatedEventId_DroppedAndCountedOnce()
    {
        var scanner = new SchemaScanner();
        string[] lines =
        [
            """{"event_type":"default","event_id":"6f1c2d1e-0000-4000-8000-000000000001"}""",
            """{"event_type":"default","event_id":"6f1c2d1e-0000-4000-8000-000000000001"}""",
            """{"event_id":"6f1c2d1e-0000-4000-8000-000000000001","nested":{"a":1}}""",
            """{"event_type":"default","event_id":"not-a-uuid"}""",
            """{"event_type":"default","event_id":"not-a-uuid"}""",
            """{"event_type":"default"}""",
            """{"event_type":"default"}""",
        ];

        var kept = lines.Select(l => scanner.Add(Encoding.UTF8.GetBytes(l))).ToList();

        Assert.That(kept, Is.EqualTo(new[] { true, false, false, true, false, true, true }), "events without an event_id all count");
        Assert.That(scanner.Events, Is.EqualTo(4));
        Assert.That(scanner.Duplicates, Is.EqualTo(3));
        Assert.That(scanner.ToSchema().Columns.Select(c => c.Name), Has.None.EqualTo("nested"), "a dropped resend adds no columns");
    }

    // The fast path for flat objects and the full parser must agree with System.Text.Json on every line.
    private static readonly string[] Lines =
    [
        """{"event_type":"default"}""", """{}""", """ { } """, """{"a":1,"b":"x","c":true,"d":false,"e":null}""",
        """{"a":-0.5e-3}""", """{"a":"\u00e9\n\"\\\/\b\f\r\t"}""", """{"ke\"y":1}""", """{"a":{"b":[1,{"c":2}]}}""",
        """{"a":"é😀"}""", "{\"a\":\"\u0001\"}", """{"a":01}""", """{"a":1.}""", """{"a":.5}""", """{"a":-}""",
        """{"a":1e}""", """{"a":tru}""", """{"a":nul}""", "{\"a\":\"x", """{"a" 1}""", """{"a":1,}""", """{"a":1}}""",
        """{"a":1} x""", """[1,2]""", "42", "\"text\"", "", " ", "not json", """{"a":"\x"}""", """{"a":"\u12"}""",
        """{a:1}""", """{'a':1}""", """{"a":1 "b":2}""", """{"a":NaN}""", """{"a":+1}""", "{\"a\":\"\t\"}",
        // Lines with no escape and no control character take the plainest path: strings end at a quote.
        """{"":""}""", """{"a""", """{"a":"b"c}""", "{\"a\":\"b\"", """{"a":"b",}""", """{"a":"b" , "c" : "d"}""",
        "{\"a\":\t1}", "{\"a\tb\":1}", """{"a":"b\"c","d":"e"}""",
    ];

    [TestCaseSource(nameof(Lines))]
    public void Add_AcceptsExactlyTheJsonObjects(string line)
    {
        bool expected;
        try
        {
            using var document = JsonDocument.Parse(line);
            expected = document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            expected = false;
        }

        var scanner = new SchemaScanner();

        Assert.That(scanner.Add(Encoding.UTF8.GetBytes(line)), Is.EqualTo(expected));
        Assert.That(scanner.Skipped, Is.EqualTo(expected ? 0 : 1));
    }

    // JSON objects that I-JSON (RFC 7493) rules out and DuckDB's read_json refuses ("has duplicate key",
    // "no low surrogate in string"), and a name with a NUL, which DuckDB's SQL cannot quote: one such line
    // failed every query over its file or topic. Skipped like junk, on the fast path and the full parser.
    [TestCase("""{"a":1,"a":2}""", TestName = "a name twice (fast path)")]
    [TestCase("""{"a":1,"b":{"c":1},"a":"x"}""", TestName = "a name twice (full parser)")]
    [TestCase("""{"a":1,"\u0061":2}""", TestName = "a name twice, once escaped")]
    [TestCase("""{"a":"\ud800"}""", TestName = "a high surrogate alone")]
    [TestCase("""{"a":"x\uDC00"}""", TestName = "a low surrogate alone")]
    [TestCase("""{"a":"\ud83d"}""", TestName = "a high surrogate at the end of a string")]
    [TestCase("""{"a":"\ud83d\ud83d\ude00"}""", TestName = "two high surrogates, then a low")]
    [TestCase("""{"a":"\ud83dx\ude00"}""", TestName = "a high and a low surrogate apart")]
    [TestCase("""{"a":{"b":["\ud800"]}}""", TestName = "an unpaired surrogate in a nested value")]
    [TestCase("""{"\ud800":1}""", TestName = "an unpaired surrogate in a name")]
    [TestCase("""{"a\u0000":1}""", TestName = "a NUL in a name")]
    public void Add_ObjectsTheSqlEngineRefuses_Skipped(string line)
    {
        var scanner = new SchemaScanner();

        Assert.That(scanner.Add(Encoding.UTF8.GetBytes(line)), Is.False);
        Assert.That(scanner.Skipped, Is.EqualTo(1));
        Assert.That(scanner.ToSchema().Columns.Select(c => c.Name), Has.None.EqualTo("a"), "a skipped line adds no columns");
    }

    [TestCase("""{"a":"\ud83d\ude00"}""", TestName = "a surrogate pair")]
    [TestCase("""{"a":"\uD83D\uDE00"}""", TestName = "a surrogate pair in capitals")]
    [TestCase("""{"a":"\\ud800"}""", TestName = "an escaped backslash before ud800")]
    [TestCase("""{"a":1,"A":2}""", TestName = "names that differ in letter case")]
    [TestCase("""{"a":{"b":1,"b":2}}""", TestName = "a nested name twice (read as JSON text)")]
    [TestCase("""{"a":"x\u0000y"}""", TestName = "a NUL in a value")]
    public void Add_ObjectsTheSqlEngineReads_Accepted(string line)
    {
        var scanner = new SchemaScanner();

        Assert.That(scanner.Add(Encoding.UTF8.GetBytes(line)), Is.True);
        Assert.That(scanner.Events, Is.EqualTo(1));
    }

    // As deep as Spark's JSON parser takes (Jackson's StreamReadConstraints: 1000 levels); System.Text.Json's
    // default of 64 skipped valid events that Spark counts.
    [TestCase(SchemaScanner.MaxDepth, true)]
    [TestCase(SchemaScanner.MaxDepth + 1, false)]
    public void Add_NestedValues_UpToTheDepthSparkTakes(int depth, bool accepted)
    {
        var line = $$"""{"event_type":"deep","x":{{new string('[', depth - 1)}}1{{new string(']', depth - 1)}}}""";
        var scanner = new SchemaScanner();

        Assert.That(scanner.Add(Encoding.UTF8.GetBytes(line)), Is.EqualTo(accepted));
    }

    [Test]
    public void Add_InvalidUtf8_Skipped()
    {
        var scanner = new SchemaScanner();

        Assert.That(scanner.Add([(byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}']), Is.False);
    }

    private static byte[] Event(string eventId) => Encoding.UTF8.GetBytes($$"""{"event_type":"default","event_id":"{{eventId}}"}""");

    private static ulong[] Fingerprints(params string[] ids) => [.. ids.Select(SchemaScanner.EventIdFingerprint).Order()];

    [Test]
    public void Resume_NewIdMatchingNoKnownFingerprint_AcceptedWithoutReadingTheKnownIds()
    {
        var scanner = SchemaScanner.Resume(ScannerState.Empty, Fingerprints("a", "b"),
            () => throw new AssertionException("the known ids were read although no fingerprint matched"));

        Assert.That(scanner.Add(Event("c")), Is.True);
        Assert.That(scanner.NewEventIds, Is.EqualTo(new[] { "c" }));
    }

    [Test]
    public void Resume_KnownId_DroppedAsAResend_KnownIdsReadOnce()
    {
        var reads = 0;
        var scanner = SchemaScanner.Resume(ScannerState.Empty, Fingerprints("a", "b"), () =>
        {
            reads++;
            return ["a", "b"];
        });

        Assert.That(scanner.Add(Event("a")), Is.False);
        Assert.That(scanner.Add(Event("b")), Is.False);
        Assert.That(scanner.Add(Event("c")), Is.True);
        Assert.That((scanner.Duplicates, scanner.Events, reads), Is.EqualTo((2L, 1L, 1)));
    }

    [Test]
    public void Resume_FingerprintMatchButAnotherId_Accepted()
    {
        // A collision: "x" has the fingerprint of a known id that is not "x" (the set of known ids says which).
        var scanner = SchemaScanner.Resume(ScannerState.Empty, Fingerprints("x"), () => ["y"]);

        Assert.That(scanner.Add(Event("x")), Is.True, "a fingerprint match alone must not drop an event");
        Assert.That(scanner.NewEventIds, Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public void Resume_RepeatAmongNewIds_Dropped()
    {
        var scanner = SchemaScanner.Resume(ScannerState.Empty, [], () => []);

        Assert.That(scanner.Add(Event("n")), Is.True);
        Assert.That(scanner.Add(Event("n")), Is.False);
        Assert.That(scanner.NewEventIds, Is.EqualTo(new[] { "n" }));
    }
}
