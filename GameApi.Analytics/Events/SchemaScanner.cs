using System.Buffers.Text;
using System.Text.Json;

namespace GameApi.Analytics.Events;

/// <summary>
/// Checks that each event is one JSON object and records the kinds of its top-level fields, in the
/// same pass that reads it, and notices repeated <c>event_id</c>s. Not thread-safe: one scanner per
/// reading thread (<see cref="FirstPass"/>, then <see cref="FinishFirstPass"/>).
/// </summary>
public sealed class SchemaScanner
{
    private readonly List<Field> _fields = [];
    private readonly Dictionary<string, Field> _byKey = new(StringComparer.Ordinal);
    private readonly List<Field> _seen = new(16);
    private readonly EventIds _ids;
    private Field? _eventIdField;
    private byte[]? _eventId;
    private int _eventIdLength;
    private bool _refusedName; // a name twice in the object, or one the SQL engine cannot name a column (a NUL in it)

    /// <summary>How deep an event's values may nest: as on Spark (Jackson's default limit).</summary>
    public const int MaxDepth = 1000;

    /// <summary>A scanner that drops every repeated event_id exactly.</summary>
    public SchemaScanner()
        : this(EventIds.Exact())
    {
    }

    private SchemaScanner(EventIds ids) => _ids = ids;

    /// <summary>
    /// Scanners for a first pass, one per reading thread, that only has to tell whether an input repeats
    /// event_ids (<see cref="FinishFirstPass"/> says); <paramref name="expectedEvents"/> sizes their buffers.
    /// </summary>
    public static SchemaScanner[] FirstPass(int scanners, long expectedEvents) =>
        Enumerable.Range(0, scanners).Select(_ => new SchemaScanner(EventIds.Fingerprints(expectedEvents / scanners))).ToArray();

    /// <summary>Merges first-pass scanners into the first; its <see cref="Duplicates"/> then counts repeats.</summary>
    public static SchemaScanner FinishFirstPass(SchemaScanner[] scanners)
    {
        ArgumentNullException.ThrowIfNull(scanners);
        var repeats = EventIds.CountRepeats(scanners.Select(s => s._ids).ToList());
        for (var i = 1; i < scanners.Length; i++)
        {
            scanners[0].Merge(scanners[i]);
        }

        scanners[0].Duplicates = repeats;
        return scanners[0];
    }

    /// <summary>
    /// A scanner that goes on from <paramref name="state"/> (what an earlier scan saw, <see cref="State"/>),
    /// dropping repeats of the event_ids it saw too: known by their fingerprints
    /// (<paramref name="knownFingerprints"/>, ascending, see <see cref="EventIdFingerprint"/>), read as text
    /// from <paramref name="readKnownEventIds"/> only to confirm a match. <see cref="NewEventIds"/> lists the ids it adds.
    /// </summary>
    public static SchemaScanner Resume(ScannerState state, ulong[] knownFingerprints, Func<IEnumerable<string>> readKnownEventIds)
    {
        ArgumentNullException.ThrowIfNull(state);
        var scanner = new SchemaScanner(EventIds.Known(knownFingerprints, readKnownEventIds))
        {
            Events = state.Events,
            Skipped = state.Skipped,
            Duplicates = state.Duplicates,
        };
        foreach (var saved in state.Fields)
        {
            var field = new Field(saved.Key) { Kinds = saved.Kinds, Count = saved.Count };
            scanner._byKey[saved.Key] = field;
            scanner._fields.Add(field);
        }

        return scanner;
    }

    /// <summary>What this scanner has seen, to go on from later (<see cref="Resume"/>).</summary>
    public ScannerState State => new(_fields.Select(f => new ScannedField(f.Key, f.Kinds, f.Count)).ToList(), Events, Skipped, Duplicates);

    /// <summary>The fingerprint <see cref="Resume"/> knows an event_id by.</summary>
    public static ulong EventIdFingerprint(string eventId) => EventIds.Fingerprint(eventId);

    /// <summary>The event_ids of the events this scanner accepted, after <see cref="Resume"/>; empty otherwise.</summary>
    public IReadOnlyList<string> NewEventIds => _ids.Added;

    public long Events { get; private set; }

    public long Skipped { get; private set; }

    /// <summary>Events whose <c>event_id</c> an earlier event had: resends, counted once.</summary>
    public long Duplicates { get; private set; }

    /// <summary>
    /// Scans one event. False when it is not a JSON object (counted in <see cref="Skipped"/>) or repeats
    /// an earlier event's <c>event_id</c> (counted in <see cref="Duplicates"/>): the caller drops it.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> json)
    {
        _eventIdLength = -1;
        if (!IsObject(json))
        {
            Skipped++;
            return false;
        }

        if (_eventIdLength >= 0 && !_ids.Add(_eventId.AsSpan(0, _eventIdLength)))
        {
            Discard();
            Duplicates++;
            return false;
        }

        Commit();
        Events++;
        return true;
    }

    // The API's events carry a UUID "event_id"; at least once delivery may repeat one.
    private void NoteEventId(Field field, ReadOnlySpan<byte> value)
    {
        _eventIdField ??= field.Key == "event_id" ? field : null;
        if (!ReferenceEquals(field, _eventIdField))
        {
            return;
        }

        if (_eventId is null || _eventId.Length < value.Length)
        {
            _eventId = new byte[Math.Max(64, value.Length)];
        }

        value.CopyTo(_eventId);
        _eventIdLength = value.Length;
    }

    private bool IsObject(ReadOnlySpan<byte> json)
    {
        // JSON text is UTF-8 (RFC 8259), and the SQL engine rejects anything else; it also refuses what
        // I-JSON (RFC 7493) rules out and JSON itself allows: an unpaired surrogate escape (DuckDB's
        // "no low surrogate in string") and a name twice in one object ("has duplicate key"); and a name
        // with a NUL (\u0000), which ends a quoted identifier in DuckDB's SQL parser. One such line
        // would fail every query over the file or topic, so it is skipped like any other junk.
        if (!System.Text.Unicode.Utf8.IsValid(json) || (json.Contains((byte)'\\') && HasUnpairedSurrogate(json)))
        {
            return false;
        }

        _seen.Clear();
        _refusedName = false;
        var verdict = FlatObject.TryScan(json, this);
        if (verdict is null)
        {
            Discard();
            _eventIdLength = -1;
            _refusedName = false;
            verdict = ParseFully(json);
        }

        if (verdict == true && !_refusedName)
        {
            return true;
        }

        Discard();
        return false;
    }

    /// <summary>Called by the fast path for each member of a flat object; a string's value without quotes.</summary>
    internal void Saw(ReadOnlySpan<byte> unescapedKey, FieldKinds kind, ReadOnlySpan<byte> stringValue)
    {
        var field = Find(unescapedKey, null, _seen.Count);
        _refusedName |= field.Pending != FieldKinds.None;
        _seen.Add(field);
        field.Pending |= kind;
        if (kind == FieldKinds.String)
        {
            NoteEventId(field, stringValue);
        }
    }

    private void Commit()
    {
        foreach (var field in _seen)
        {
            if (field.Pending != FieldKinds.None)
            {
                // A JSON null is no value: counted as COUNT(column) counts it, on both engines.
                field.Count += field.Pending == FieldKinds.Null ? 0 : 1;
                field.Kinds |= field.Pending;
                field.Pending = FieldKinds.None;
            }
        }
    }

    private void Discard()
    {
        foreach (var field in _seen)
        {
            field.Pending = FieldKinds.None;
        }

        _seen.Clear();
    }

    /// <summary>The general path: any valid JSON object, nested values and escapes included.</summary>
    private bool ParseFully(ReadOnlySpan<byte> json)
    {
        // Spark's JSON parser (Jackson's StreamReadConstraints) allows 1000 levels, System.Text.Json 64 by default.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueIsEscaped ? reader.GetString()! : null;
                _refusedName |= name?.Contains('\0', StringComparison.Ordinal) == true;
                var field = name is not null ? Find([], name, _seen.Count) : Find(reader.ValueSpan, null, _seen.Count);
                reader.Read();
                var kind = KindOf(ref reader);
                if (kind == FieldKinds.String)
                {
                    NoteEventId(field, reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan);
                }

                reader.Skip();
                _refusedName |= field.Pending != FieldKinds.None;
                _seen.Add(field);
                field.Pending |= kind;
            }

            return !reader.Read(); // nothing may follow the object
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // GetString: an escape that is no UTF-16 (HasUnpairedSurrogate keeps those out)
        {
            return false;
        }
    }

    // A \uXXXX escape of a high surrogate not followed by one of a low surrogate, or a low one alone.
    // Outside strings a backslash is not valid JSON, so every backslash here starts an escape.
    internal static bool HasUnpairedSurrogate(ReadOnlySpan<byte> json)
    {
        var afterHigh = -1; // where a high surrogate's escape ended, if the last escape was one
        for (var i = json.IndexOf((byte)'\\'); i >= 0 && i + 1 < json.Length; i = NextEscape(json, i))
        {
            var unit = json[i + 1] == 'u' && i + 6 <= json.Length && Utf8Parser.TryParse(json.Slice(i + 2, 4), out ushort value, out var used, 'x') && used == 4 ? value : -1;
            if (afterHigh >= 0 && (afterHigh != i || unit is < 0xDC00 or > 0xDFFF))
            {
                return true; // the high surrogate's pair is not right after it
            }

            if (afterHigh < 0 && unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true;
            }

            afterHigh = unit is >= 0xD800 and <= 0xDBFF ? i + 6 : -1;
        }

        return afterHigh >= 0;

        static int NextEscape(ReadOnlySpan<byte> json, int i)
        {
            var from = i + (json[i + 1] == 'u' ? 6 : 2);
            var next = from < json.Length ? json[from..].IndexOf((byte)'\\') : -1;
            return next < 0 ? -1 : from + next;
        }
    }

    // Events from one producer list their fields in the same order: try the field at the same position
    // first, so the usual lookup is one comparison and no allocation.
    private Field Find(ReadOnlySpan<byte> utf8Key, string? key, int position)
    {
        if (key is null)
        {
            if (position < _fields.Count && utf8Key.SequenceEqual(_fields[position].Utf8))
            {
                return _fields[position];
            }

            foreach (var candidate in _fields)
            {
                if (utf8Key.SequenceEqual(candidate.Utf8))
                {
                    return candidate;
                }
            }

            key = System.Text.Encoding.UTF8.GetString(utf8Key);
        }

        if (!_byKey.TryGetValue(key, out var field))
        {
            field = new Field(key);
            _byKey[key] = field;
            _fields.Add(field);
        }

        return field;
    }

    private static FieldKinds KindOf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => FieldKinds.String,
        JsonTokenType.Number => IsInteger(reader.ValueSpan) ? FieldKinds.Integer : FieldKinds.Float,
        JsonTokenType.True or JsonTokenType.False => FieldKinds.Boolean,
        JsonTokenType.Null => FieldKinds.Null,
        _ => FieldKinds.Nested,
    };

    // An integer column must fit BIGINT; anything with a fraction, exponent or beyond 64 bits is a float.
    internal static bool IsInteger(ReadOnlySpan<byte> number) =>
        number.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
        && Utf8Parser.TryParse(number, out long _, out var consumed) && consumed == number.Length;

    /// <summary>Adds what another scanner saw (its new fields after this one's).</summary>
    private void Merge(SchemaScanner other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Events += other.Events;
        Skipped += other.Skipped;
        Duplicates += other.Duplicates;

        foreach (var theirs in other._fields)
        {
            if (!_byKey.TryGetValue(theirs.Key, out var mine))
            {
                mine = new Field(theirs.Key);
                _byKey[theirs.Key] = mine;
                _fields.Add(mine);
            }

            mine.Kinds |= theirs.Kinds;
            mine.Count += theirs.Count;
        }
    }

    public EventSchema ToSchema() => EventSchema.From(
        _fields.Where(f => f.Kinds != FieldKinds.None).Select(f => new SourceField(f.Key, f.Kinds)), // not fields only junk had
        _fields.ToDictionary(f => f.Key, f => f.Count, StringComparer.Ordinal),
        Events);

    private sealed class Field(string key)
    {
        public string Key { get; } = key;

        public byte[] Utf8 { get; } = System.Text.Encoding.UTF8.GetBytes(key);

        public FieldKinds Kinds { get; set; }

        public FieldKinds Pending { get; set; }

        public long Count { get; set; }
    }
}

/// <summary>A field as a scan saw it: its kinds of values and how many events carried a value (not null) in it.</summary>
public sealed record ScannedField(string Key, FieldKinds Kinds, long Count);

/// <summary>What a scan saw, without the event_ids: enough to go on scanning later (<see cref="SchemaScanner.Resume"/>).</summary>
public sealed record ScannerState(IReadOnlyList<ScannedField> Fields, long Events, long Skipped, long Duplicates)
{
    public static ScannerState Empty { get; } = new([], 0, 0, 0);

    /// <summary>The schema of what the scan saw.</summary>
    public EventSchema ToSchema() => SchemaScanner.Resume(this, [], () => []).ToSchema();
}
