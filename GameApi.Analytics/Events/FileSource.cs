namespace GameApi.Analytics.Events;

/// <summary>Events from a JSON Lines file (what <c>kcat -C -e</c> prints), one event per line.</summary>
public static class FileSource
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    /// <param name="scratch">
    /// A folder for a copy, written only when the input is a pipe, some lines are not events or the file
    /// starts with a byte order mark.
    /// </param>
    public static EventSnapshot Read(string path, string scratch, IProgress<long>? progress = null)
    {
        if (!File.Exists(path))
        {
            throw new SourceException(Directory.Exists(path)
                ? $"Input '{path}' is a folder; --input takes a JSON Lines file."
                : $"Input file '{path}' does not exist.");
        }

        try
        {
            var file = Seekable(path, scratch);
            // The progress counts against the input's length, which a pipe does not have.
            var scanner = JsonLinesFile.Scan(file, file == path ? progress : null);
            if (scanner.Events == 0 && scanner.Skipped > 0 && !IsBlank(file))
            {
                // A compressed or binary file, or another format: an empty report would look like an answer.
                throw new SourceException($"None of the {scanner.Skipped} lines of '{path}' is a JSON object: it holds no events. "
                    + (JsonLinesFile.StartsWith(file, GzipMagic)
                        // A pipe's name (/dev/stdin, /dev/fd/63) is no file to hand zcat.
                        ? $"It is gzip-compressed: zcat {(file == path ? $"'{path}'" : "FILE")} | gameapi-analytics ... --input /dev/stdin."
                        : "--input takes JSON Lines, one event per line."));
            }

            var usable = file;
            if (scanner.Skipped > 0 || scanner.Duplicates > 0 || JsonLinesFile.StartsWith(file, JsonLinesFile.ByteOrderMark))
            {
                // The SQL engine reads the file itself: it would turn junk lines into rows of NULLs, count a
                // resent event twice and refuse a byte order mark. Copy what should be read, without the
                // mark (rare: a clean file is read as is).
                usable = Path.Combine(scratch, "events.jsonl");
                scanner = JsonLinesFile.CopyObjects(file, usable);
            }

            return new EventSnapshot([usable], scanner.ToSchema(), scanner.Skipped, scanner.Duplicates, HasKafkaMetadata: false);
        }
        catch (IOException e)
        {
            throw new SourceException($"Input file '{path}' cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SourceException($"Input file '{path}' cannot be read: {e.Message}", e);
        }
    }

    // Blank lines only: an empty file, an empty answer.
    private static bool IsBlank(string path)
    {
        using var stream = File.OpenRead(path);
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b is not (' ' or '\n' or '\r' or '\t'))
            {
                return false;
            }
        }

        return true;
    }

    // A pipe (zcat events.jsonl.gz | ... --input /dev/stdin, or --input <(...)) can be read once, from the
    // start; the scan reads ranges in parallel and the SQL engine reads the file again: copy it first.
    private static string Seekable(string path, string scratch)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        if (input.CanSeek)
        {
            return path;
        }

        var copy = Path.Combine(scratch, "input.jsonl");
        using var output = new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        input.CopyTo(output, 1 << 20);
        return copy;
    }
}
