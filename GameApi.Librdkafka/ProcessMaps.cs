using System.Globalization;

namespace GameApi.Librdkafka;

/// <summary>A file mapped into this process, and the addresses it occupies.</summary>
internal readonly record struct MappedFile(ulong Start, ulong End, string File);

/// <summary>The files mapped into this process, from /proc/self/maps (Linux): which file an address belongs to, which C library runs.</summary>
internal static class ProcessMaps
{
    /// <summary>The file mapped at <paramref name="address"/>, or null when none is (or the maps cannot be read).</summary>
    public static string? FileAt(IntPtr address)
    {
        var at = (ulong)address;
        return Read().Where(m => m.Start <= at && at < m.End).Select(m => m.File).FirstOrDefault();
    }

    /// <summary>The process's mappings of files; none where /proc cannot be read.</summary>
    public static IReadOnlyList<MappedFile> Read()
    {
        try
        {
            return Parse(File.ReadLines("/proc/self/maps")).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    // "7f1c2a000000-7f1c2a021000 r-xp 00000000 08:01 1234   /usr/lib/x86_64-linux-gnu/libc.so.6"
    internal static IEnumerable<MappedFile> Parse(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 6 && fields[5].StartsWith('/') && fields[0].Split('-') is [var from, var to]
                && ulong.TryParse(from, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(to, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                yield return new MappedFile(start, end, fields[5].Trim());
            }
        }
    }
}
