namespace GameApi.Analytics.Events;

/// <summary>Events from a JSON Lines file (what <c>kcat -C -e</c> prints), one event per line.</summary>
public static class FileSource
{
    /// <param name="scratch">A folder for a cleaned copy, written only when some lines are not events or the file starts with a byte order mark.</param>
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
            var scanner = JsonLinesFile.Scan(path, progress);
            var usable = path;
            if (scanner.Skipped > 0 || scanner.Duplicates > 0 || JsonLinesFile.StartsWithByteOrderMark(path))
            {
                // The SQL engine reads the file itself: it would turn junk lines into rows of NULLs, count a
                // resent event twice and refuse a byte order mark. Copy what should be read, without the
                // mark (rare: a clean file is read as is).
                usable = Path.Combine(scratch, "events.jsonl");
                scanner = JsonLinesFile.CopyObjects(path, usable);
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
}
