using System.Buffers;
using System.Runtime.CompilerServices;

namespace GameApi.Analytics.Events;

/// <summary>
/// A fast path for the common event: one flat JSON object whose keys have no escapes and whose values
/// are strings, numbers, true, false or null. It accepts only such objects that are valid JSON and
/// answers null ("don't know") for anything else, which then goes to the full parser. This halves the
/// time of the schema pass over large inputs (docs/benchmarks.md).
/// </summary>
internal static class FlatObject
{
    // What makes a string need more than a search for its closing quote: escapes and control characters.
    private static readonly SearchValues<byte> EscapeOrControl = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'\\']);

    /// <param name="json">Valid UTF-8 (the caller checks).</param>
    /// <returns>true: a valid flat object, members reported; null: not decided here.</returns>
    public static bool? TryScan(ReadOnlySpan<byte> json, SchemaScanner scanner)
    {
        // The usual event has neither (one pass over the line): then every string ends at its next
        // quote and needs no checks of its own.
        var plain = json.IndexOfAny(EscapeOrControl) < 0;
        var i = SkipSpace(json, 0);
        if (i >= json.Length || json[i] != '{')
        {
            return null;
        }

        i = SkipSpace(json, i + 1);
        if (i < json.Length && json[i] == '}')
        {
            return SkipSpace(json, i + 1) == json.Length ? true : null;
        }

        while (true)
        {
            // "key"
            if (i >= json.Length || json[i] != '"')
            {
                return null;
            }

            var keyEnd = plain ? json[(i + 1)..].IndexOf((byte)'"') : json[(i + 1)..].IndexOfAny((byte)'"', (byte)'\\');
            if (keyEnd < 0 || (!plain && (json[i + 1 + keyEnd] != '"' || HasControl(json.Slice(i + 1, keyEnd)))))
            {
                return null;
            }

            var key = json.Slice(i + 1, keyEnd);
            i = SkipSpace(json, i + keyEnd + 2);
            if (i >= json.Length || json[i] != ':')
            {
                return null;
            }

            i = SkipSpace(json, i + 1);
            if (i >= json.Length)
            {
                return null;
            }

            var end = ScanValue(json, i, plain, out var kind);
            if (end < 0)
            {
                return null;
            }

            scanner.Saw(key, kind, kind == FieldKinds.String ? json[(i + 1)..(end - 1)] : []);
            i = SkipSpace(json, end);
            if (i >= json.Length)
            {
                return null;
            }

            if (json[i] == '}')
            {
                return SkipSpace(json, i + 1) == json.Length ? true : null;
            }

            if (json[i] != ',')
            {
                return null;
            }

            i = SkipSpace(json, i + 1);
        }
    }

    /// <returns>The index after the value, or -1 when this path does not handle it.</returns>
    private static int ScanValue(ReadOnlySpan<byte> json, int i, bool plain, out FieldKinds kind)
    {
        kind = FieldKinds.None;
        switch (json[i])
        {
            case (byte)'"':
                kind = FieldKinds.String;
                if (plain)
                {
                    var close = json[(i + 1)..].IndexOf((byte)'"');
                    return close < 0 ? -1 : i + close + 2;
                }

                return ScanString(json, i + 1);
            case (byte)'t':
                kind = FieldKinds.Boolean;
                return json[i..].StartsWith("true"u8) ? i + 4 : -1;
            case (byte)'f':
                kind = FieldKinds.Boolean;
                return json[i..].StartsWith("false"u8) ? i + 5 : -1;
            case (byte)'n':
                kind = FieldKinds.Null;
                return json[i..].StartsWith("null"u8) ? i + 4 : -1;
            case (byte)'-' or >= (byte)'0' and <= (byte)'9':
                var end = ScanNumber(json, i);
                if (end > 0)
                {
                    kind = SchemaScanner.IsInteger(json[i..end]) ? FieldKinds.Integer : FieldKinds.Float;
                }

                return end;
            default:
                return -1; // nested objects and arrays take the full parser
        }
    }

    private static int ScanString(ReadOnlySpan<byte> json, int i)
    {
        while (true)
        {
            var stop = json[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (stop < 0 || HasControl(json.Slice(i, stop)))
            {
                return -1;
            }

            i += stop;
            if (json[i] == '"')
            {
                return i + 1;
            }

            // An escape: \" \\ \/ \b \f \n \r \t or \uXXXX.
            if (i + 1 >= json.Length)
            {
                return -1;
            }

            var escaped = json[i + 1];
            if (escaped == 'u')
            {
                if (i + 6 > json.Length || !IsHex(json.Slice(i + 2, 4)))
                {
                    return -1;
                }

                i += 6;
            }
            else if (escaped is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
            {
                i += 2;
            }
            else
            {
                return -1;
            }
        }
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private static int ScanNumber(ReadOnlySpan<byte> json, int i)
    {
        if (json[i] == '-')
        {
            i++;
        }

        if (i >= json.Length || !char.IsAsciiDigit((char)json[i]))
        {
            return -1;
        }

        if (json[i] == '0')
        {
            i++;
        }
        else
        {
            i = Digits(json, i);
        }

        if (i < json.Length && json[i] == '.')
        {
            var after = Digits(json, i + 1);
            if (after == i + 1)
            {
                return -1;
            }

            i = after;
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var after = Digits(json, i);
            if (after == i)
            {
                return -1;
            }

            i = after;
        }

        return i;
    }

    private static int Digits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsHex(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControl(ReadOnlySpan<byte> text) => text.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipSpace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }
}
