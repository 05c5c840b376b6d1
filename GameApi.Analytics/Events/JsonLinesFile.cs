using Microsoft.Win32.SafeHandles;

namespace GameApi.Analytics.Events;

public delegate void LineHandler(ReadOnlySpan<byte> line);

/// <summary>Reads JSON Lines files as UTF-8 byte spans, one line at a time, without decoding them.</summary>
public static class JsonLinesFile
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Scans the whole file for its schema, in parallel over ranges of lines.
    /// <paramref name="progress"/> receives bytes read so far.
    /// </summary>
    public static SchemaScanner Scan(string path, IProgress<long>? progress = null)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        var parts = length < 8 * BufferSize ? 1 : Environment.ProcessorCount;
        // About 180 bytes an event in the API's shapes; a wrong guess only costs time.
        var scanners = SchemaScanner.FirstPass(parts, length / 150);
        long read = 0;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            var scanner = scanners[part];
            ForEachLine(file, length * part / parts, length * (part + 1) / parts, line => scanner.Add(line),
                bytes => progress?.Report(Interlocked.Add(ref read, bytes)));
        });

        return SchemaScanner.FinishFirstPass(scanners);
    }

    /// <summary>
    /// Writes the lines of <paramref name="from"/> that are JSON objects, each event_id once, to
    /// <paramref name="to"/>; returns the scan of what it wrote.
    /// </summary>
    public static SchemaScanner CopyObjects(string from, string to)
    {
        using var input = File.OpenHandle(from, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        using var output = new FileStream(to, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
        var check = new SchemaScanner();
        ForEachLine(input, 0, RandomAccess.GetLength(input), line =>
        {
            if (check.Add(line))
            {
                output.Write(line);
                output.WriteByte((byte)'\n');
            }
        });
        return check;
    }

    /// <summary>UTF-8's byte order mark: the lines are read without it; DuckDB refuses it.</summary>
    public static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Whether the file's first bytes are <paramref name="prefix"/> (a byte order mark, gzip's magic number).</summary>
    public static bool StartsWith(string path, ReadOnlySpan<byte> prefix)
    {
        using var file = File.OpenHandle(path);
        return StartsWith(file, prefix);
    }

    private static bool StartsWith(SafeFileHandle file, ReadOnlySpan<byte> prefix)
    {
        Span<byte> start = stackalloc byte[prefix.Length];
        return RandomAccess.Read(file, start, 0) == start.Length && start.SequenceEqual(prefix);
    }

    /// <summary>Calls <paramref name="onLine"/> for each line that starts in [start, end).</summary>
    public static void ForEachLine(SafeFileHandle file, long start, long end, LineHandler onLine, Action<long>? onBytes = null)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        var buffer = new byte[BufferSize];
        var filled = 0;
        // Start one byte early: if that byte ends a line, the line at 'start' is ours; otherwise skip
        // the partial line, which belongs to the range before. A byte order mark is not part of the first line.
        var position = start != 0 ? start - 1 : StartsWith(file, ByteOrderMark) ? ByteOrderMark.Length : 0;
        var lineStart = position; // file offset of buffer[0]
        var skipping = start != 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer
            }

            var read = RandomAccess.Read(file, buffer.AsSpan(filled), position);
            position += read;
            onBytes?.Invoke(read);
            var total = filled + read;
            var consumed = 0;
            while (consumed < total)
            {
                var newline = buffer.AsSpan(consumed, total - consumed).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (read > 0)
                    {
                        break; // incomplete line: read more
                    }

                    newline = total - consumed; // the last line has no newline
                }

                if (!skipping && lineStart + consumed >= end)
                {
                    return;
                }

                var line = buffer.AsSpan(consumed, newline);
                if (!skipping)
                {
                    onLine(line.Length > 0 && line[^1] == '\r' ? line[..^1] : line);
                }

                skipping = false;
                consumed += newline + 1;
            }

            if (read == 0)
            {
                return;
            }

            buffer.AsSpan(consumed, total - consumed).CopyTo(buffer);
            filled = total - consumed;
            lineStart += consumed;
        }
    }
}
