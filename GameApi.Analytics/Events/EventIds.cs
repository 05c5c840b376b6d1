using System.IO.Hashing;

namespace GameApi.Analytics.Events;

/// <summary>
/// The event_ids seen so far. Exact (every id kept as text) where a repeat is dropped on the spot, as
/// when reading Kafka. For the first pass over a file, only 64-bit fingerprints are appended, in
/// order, and <see cref="CountRepeats"/> sorts them at the end: a hash table of a million ids costs a
/// cache miss per event, a radix sort far less (docs/benchmarks.md). A repeat
/// found this way only sends the file through an exact second pass, so a fingerprint collision costs
/// time, never an event. Going on from an earlier read (<see cref="Known"/>), the ids read before are
/// known by their fingerprints, and their text is read only to confirm a match.
/// </summary>
internal sealed class EventIds
{
    private readonly HashSet<string>? _exact;
    private readonly List<string>? _added;
    private readonly ulong[]? _knownFingerprints;
    private readonly Func<IEnumerable<string>>? _readKnown;
    private HashSet<string>? _known;
    private ulong[] _fingerprints = [];
    private int _count;

    private EventIds(HashSet<string>? exact, long expected, bool tracked = false)
    {
        _exact = exact;
        _added = tracked ? [] : null;
        if (exact is null)
        {
            _fingerprints = new ulong[(int)Math.Clamp(expected, 16, 1 << 26)];
        }
    }

    private EventIds(ulong[] knownFingerprints, Func<IEnumerable<string>> readKnown)
        : this(new HashSet<string>(StringComparer.Ordinal), 0, tracked: true)
    {
        _knownFingerprints = knownFingerprints;
        _readKnown = readKnown;
    }

    public static EventIds Exact() => new(new HashSet<string>(StringComparer.Ordinal), 0);

    /// <summary>
    /// Exact, going on from ids read before, known by their <see cref="Fingerprint(string)"/>s
    /// (<paramref name="sortedFingerprints"/>, ascending): most new ids match none and are new at once;
    /// on a match (a resend, or a collision) the ids themselves are read, once, from
    /// <paramref name="readKnown"/>. Reading a million ids as text takes about half a second, their
    /// fingerprints a few milliseconds. The ids added are kept in order (<see cref="Added"/>).
    /// </summary>
    public static EventIds Known(ulong[] sortedFingerprints, Func<IEnumerable<string>> readKnown) => new(sortedFingerprints, readKnown);

    /// <summary>The ids added since <see cref="Known"/>, in order; empty otherwise.</summary>
    public IReadOnlyList<string> Added => _added ?? [];

    /// <summary>Fingerprints only, for about <paramref name="expected"/> ids; see <see cref="CountRepeats"/>.</summary>
    public static EventIds Fingerprints(long expected) => new(null, expected);

    /// <summary>False when the id is known to repeat (exact mode only; fingerprints always say true).</summary>
    public bool Add(ReadOnlySpan<byte> id)
    {
        if (_exact is not null)
        {
            var text = System.Text.Encoding.UTF8.GetString(id);
            if (_knownFingerprints is { Length: > 0 } && Array.BinarySearch(_knownFingerprints, Fingerprint(id)) >= 0) // a first read knows none: no hash
            {
                _known ??= new HashSet<string>(_readKnown!(), StringComparer.Ordinal);
                if (_known.Contains(text))
                {
                    return false;
                }
            }

            if (!_exact.Add(text))
            {
                return false;
            }

            _added?.Add(text);
            return true;
        }

        if (_count == _fingerprints.Length)
        {
            Array.Resize(ref _fingerprints, _fingerprints.Length * 2);
        }

        _fingerprints[_count++] = Fingerprint(id);
        return true;
    }

    /// <summary>How many fingerprints, over all the parts, repeat an earlier one.</summary>
    public static long CountRepeats(IReadOnlyList<EventIds> parts)
    {
        // Sorted in place: each part's buffer is its own, and fresh memory costs a page fault per 4 KiB.
        Parallel.For(0, parts.Count, i => RadixSort(parts[i]._fingerprints.AsSpan(0, parts[i]._count)));

        long repeats = 0;
        var merged = parts[0]._fingerprints.AsSpan(0, parts[0]._count);
        repeats += Repeats(merged);
        for (var i = 1; i < parts.Count; i++)
        {
            var part = parts[i]._fingerprints.AsSpan(0, parts[i]._count);
            repeats += Repeats(part) + Shared(merged, part);
            if (i + 1 < parts.Count)
            {
                ulong[] both = [.. merged, .. part]; // only with more than two reading threads
                RadixSort(both);
                merged = both;
            }
        }

        return repeats;
    }

    // Four passes of 16-bit digits: linear, where a comparison sort of a million values takes log n passes.
    private static void RadixSort(Span<ulong> values)
    {
        var from = values;
        Span<ulong> to = new ulong[values.Length];
        var starts = new int[1 << 16];
        for (var shift = 0; shift < 64; shift += 16)
        {
            Array.Clear(starts);
            foreach (var value in from)
            {
                starts[(int)(value >> shift) & 0xFFFF]++;
            }

            var sum = 0;
            for (var digit = 0; digit < starts.Length; digit++)
            {
                (starts[digit], sum) = (sum, sum + starts[digit]);
            }

            foreach (var value in from)
            {
                to[starts[(int)(value >> shift) & 0xFFFF]++] = value;
            }

            var swap = from;
            from = to;
            to = swap;
        }

        // Four passes: the sorted values are back in the span passed in.
    }

    private static long Repeats(ReadOnlySpan<ulong> sorted)
    {
        long repeats = 0;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                repeats++;
            }
        }

        return repeats;
    }

    // Values of b that a already has (both sorted): one merge walk.
    private static long Shared(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        long shared = 0;
        for (int i = 0, j = 0; i < a.Length && j < b.Length;)
        {
            if (a[i] < b[j])
            {
                i++;
            }
            else if (a[i] > b[j])
            {
                j++;
            }
            else
            {
                var value = b[j];
                while (j < b.Length && b[j] == value)
                {
                    shared++;
                    j++;
                }
            }
        }

        return shared;
    }

    /// <summary>The fingerprint of an id as text (its UTF-8 bytes), as <see cref="Known"/> expects them.</summary>
    public static ulong Fingerprint(string id) => Fingerprint(System.Text.Encoding.UTF8.GetBytes(id));

    // XxHash3: fast on short inputs such as a UUID's 36 bytes, and well mixed in every bit, which the
    // radix sort's 16-bit digits need.
    private static ulong Fingerprint(ReadOnlySpan<byte> id) => XxHash3.HashToUInt64(id);
}
