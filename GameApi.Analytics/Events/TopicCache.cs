using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GameApi.Analytics.Events;

/// <summary>
/// What earlier runs read of a topic, kept on disk so a run reads only the records written since: one
/// folder per cluster (as --bootstrap-servers names it) and topic, holding segments of event lines as
/// <see cref="KafkaSource"/> writes them, the event_ids seen (and a fingerprint of each, to tell a resend
/// without reading them all), and a manifest with each partition's next
/// offset, the last record read of it, and the schema scan so far.
/// <para>
/// Every run checks the topic is still the one cached: each partition's first offset unchanged, its end
/// not below the cache, and the last record read of it still there, the same bytes and timestamp.
/// Otherwise (the topic recreated or truncated, or retention removed records since) the cache is rebuilt
/// from the topic, so a run over the cache answers what a run without it would.
/// </para>
/// <para>
/// Several runs at once: one updates at a time (an exclusive lock on the folder's <c>lock</c> file); files
/// are written whole before the manifest names them, and the manifest is replaced by a rename; a run reads
/// hard links to the files in a folder of its own, so a later update cannot pull them from under it.
/// </para>
/// <para>
/// With a <paramref name="converter"/>, each segment is also kept as the table's columns, written again
/// only when the table's columns or types change (a new field, say): a run over an unchanged topic then
/// reads no JSON at all (docs/benchmarks.md).
/// </para>
/// </summary>
public sealed partial class TopicCache(string root, KafkaSource kafka, TimeSpan lockWait, ISegmentConverter? converter = null)
{
    // The leases of this process's run folders: held until it ends, when the kernel releases them (the
    // folders themselves go with the engine, or, if the process is killed, with a later run's clean-up).
    private static readonly System.Collections.Concurrent.ConcurrentBag<FileStream> Leases = [];

    // More segments than this and all but the first are merged: a run over many small files costs more,
    // and the first, usually most of the topic, is then neither copied nor converted again.
    private const int MaxSegments = 8;

    /// <summary>The user's cache folder for this program: $XDG_CACHE_HOME, else ~/.cache (on Windows, local app data).</summary>
    public static string DefaultRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var baseFolder = xdg is { Length: > 0 } && Path.IsPathRooted(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : home.Length > 0 ? Path.Combine(home, ".cache")
            : Path.GetTempPath();
        return Path.Combine(baseFolder, "gameapi-analytics");
    }

    /// <summary>The folder of this cluster and topic under the cache root.</summary>
    public string Folder => Path.Combine(root, FolderName(kafka.BootstrapServers, kafka.Topic));

    // Readable, and unique: the names as given, made safe for a path, and a hash of the exact strings.
    internal static string FolderName(string bootstrapServers, string topic)
    {
        // Readable parts cut short: a folder name has at most 255 bytes, a topic name alone up to 249
        // characters; the hash of the whole keeps every cluster and topic apart.
        static string Safe(string text) => new(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').Take(80).ToArray());
        var hash = XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(bootstrapServers + "\n" + topic));
        return $"{Safe(bootstrapServers)}-{Safe(topic)}-{hash:x16}";
    }

    /// <summary>
    /// Brings the cache up to date with the topic and returns the run's snapshot over it. <paramref name="progress"/>
    /// gets new records read; <paramref name="notice"/> what the run should know (what was read from where).
    /// </summary>
    public EventSnapshot Read(IProgress<long>? progress, Action<string> notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        try
        {
            return BringUpToDate(progress, notice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk, permissions: the user can free space, choose another folder, or skip the cache.
            throw new SourceException($"The cache folder {Folder} cannot be used: {e.Message.TrimEnd('.')}. Use --cache-dir with another folder, or --no-cache.", e);
        }
    }

    private EventSnapshot BringUpToDate(IProgress<long>? progress, Action<string> notice)
    {
        var folder = Folder;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // The events may be personal data: the folders are the user's alone (when this creates them).
            const UnixFileMode userOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Directory.CreateDirectory(root, userOnly);
            Directory.CreateDirectory(folder, userOnly);
        }

        using var exclusive = FolderLock.Acquire(Path.Combine(folder, "lock"), lockWait, folder, notice);
        var offsets = kafka.Partitions(notice) ?? [];
        var manifest = Manifest.Load(folder, kafka.BootstrapServers, kafka.Topic, out var unusable);
        var reason = manifest is null ? unusable : Stale(manifest, offsets);
        if (reason is not null)
        {
            notice($"Rebuilding the cache: {reason}.");
            manifest = null;
            // Its files go next: a run killed before the new manifest is saved then leaves no manifest naming
            // missing files, and the next run builds the cache anew instead of calling it damaged.
            File.Delete(Path.Combine(folder, Manifest.FileName));
        }

        var current = manifest ?? Manifest.Empty(kafka.BootstrapServers, kafka.Topic);
        // What a failed run left (a segment read before Kafka or the disk failed) goes now, not only after
        // an update that succeeds: runs failing one after another must not pile them up on a full disk.
        RemoveUnlisted(folder, current);

        var (updated, added) = Update(folder, current, offsets, progress, notice);
        if (updated is null)
        {
            // A record read before (the last one cached, or this read's first) was not there any more, or not the same.
            notice("Rebuilding the cache: the topic changed under it (a record it had read is gone or not the same: the topic was recreated, truncated or replaced during the read).");
            (updated, added) = Update(folder, Manifest.Empty(kafka.BootstrapServers, kafka.Topic), offsets, progress, notice);
            if (updated is null)
            {
                throw new SourceException($"Topic '{kafka.Topic}' at {kafka.BootstrapServers} changed while it was being read; run again.");
            }
        }

        updated = Compact(folder, updated);
        var schema = updated.Scanner.ToSchema();
        var signature = converter?.Signature(schema);
        if (converter is not null)
        {
            updated = Convert(folder, updated, converter, schema, signature!);
        }

        updated.Save(folder);
        RemoveUnlisted(folder, updated);
        var cached = updated.Scanner.Events - added;
        notice($"Read {added:N0} new event{(added == 1 ? "" : "s")} from Kafka and {cached:N0} from the cache ({folder}).");
        return Snapshot(folder, updated, schema, signature);
    }

    // Why the cache cannot be extended to this topic as it is now; null when it can.
    private static string? Stale(Manifest manifest, IReadOnlyList<PartitionOffsets> offsets)
    {
        var now = offsets.ToDictionary(o => o.Partition);
        foreach (var cached in manifest.Partitions)
        {
            if (!now.TryGetValue(cached.Partition, out var current))
            {
                return $"partition {cached.Partition} is gone (the topic was recreated)";
            }

            if (current.Low != cached.Low)
            {
                return $"partition {cached.Partition} now starts at offset {current.Low}, not {cached.Low} (retention removed records, or the topic was recreated)";
            }

            if (current.High < cached.Next)
            {
                return $"partition {cached.Partition} ends at offset {current.High}, before the cached {cached.Next} (the topic was recreated or truncated)";
            }
        }

        return null;
    }

    // Reads what is new into a new segment; null when a partition's last cached record is not the one there now
    // (or a partition went back to offsets before those read).
    private (Manifest? Manifest, long Added) Update(string folder, Manifest manifest, IReadOnlyList<PartitionOffsets> offsets, IProgress<long>? progress, Action<string> notice)
    {
        var cached = manifest.Partitions.ToDictionary(p => p.Partition);
        var reads = offsets.Select(o => cached.TryGetValue(o.Partition, out var c) && c.LastOffset is { } lastOffset
                ? new PartitionRead(o.Partition, lastOffset, c.Next, o.High, new LastRecord(lastOffset, c.LastHash))
                : new PartitionRead(o.Partition, o.Low, o.Low, o.High, null))
            .ToList();
        var anyNew = reads.Any(r => r.High > r.New);

        // The event_ids are needed only to tell resends among new records: their fingerprints tell most
        // new ids apart at once, and the ids themselves are read only on a match.
        var scanner = SchemaScanner.Resume(manifest.Scanner, anyNew ? manifest.ReadFingerprints(folder) : [], () => manifest.ReadIds(folder));
        var segment = $"segment-{Guid.NewGuid():N}.jsonl";
        var segmentPath = Path.Combine(folder, segment);
        PartitionsRead result;
        using (var output = new FileStream(segmentPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            result = kafka.ReadPartitions(reads, scanner, output, progress, notice);
            output.Flush(flushToDisk: true);
        }

        if (!result.Matched)
        {
            File.Delete(segmentPath);
            return (null, 0);
        }

        var segments = manifest.Segments.ToList();
        var written = new FileInfo(segmentPath).Length;
        if (written > 0)
        {
            segments.Add(new CachedSegment(segment, written));
        }
        else
        {
            File.Delete(segmentPath);
        }

        var (ids, fingerprints) = manifest.AppendIds(folder, scanner.NewEventIds);
        var partitions = offsets.Select(o =>
        {
            var last = result.Last.TryGetValue(o.Partition, out var read) ? read
                : cached.TryGetValue(o.Partition, out var c) && c.LastOffset is { } offset ? new LastRecord(offset, c.LastHash)
                : null;
            return new CachedPartition(o.Partition, o.Low, o.High, last?.Offset, last?.Hash ?? 0);
        }).ToList();
        var added = scanner.Events - manifest.Scanner.Events;
        return (manifest with { Partitions = partitions, Segments = segments, Ids = ids, Fingerprints = fingerprints, Scanner = scanner.State }, added);
    }

    // Small segments merged into one, lines being independent; the old files go once the manifest no longer names them.
    private static Manifest Compact(string folder, Manifest manifest)
    {
        if (manifest.Segments.Count <= MaxSegments)
        {
            return manifest;
        }

        var merged = manifest.Segments.Skip(1).ToList();
        var name = $"segment-{Guid.NewGuid():N}.jsonl";
        using (var output = new FileStream(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            foreach (var segment in merged)
            {
                using var input = File.OpenRead(Path.Combine(folder, segment.Name));
                input.CopyTo(output);
            }

            output.Flush(flushToDisk: true);
        }

        return manifest with { Segments = [manifest.Segments[0], new CachedSegment(name, merged.Sum(s => s.Length))] };
    }

    // Each segment's columns for today's table: written for new segments, and for all when the table changed.
    private static Manifest Convert(string folder, Manifest manifest, ISegmentConverter converter, EventSchema schema, string signature)
    {
        var segments = manifest.Segments.Select(segment =>
        {
            if (segment.Signature == signature && segment.Columnar is { } existing && Manifest.FileLength(Path.Combine(folder, existing)) == segment.ColumnarLength)
            {
                return segment;
            }

            var name = $"columnar-{Guid.NewGuid():N}.parquet";
            var path = Path.Combine(folder, name);
            converter.Convert(Path.Combine(folder, segment.Name), schema, path);
            using (var written = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            return segment with { Columnar = name, ColumnarLength = new FileInfo(path).Length, Signature = signature };
        }).ToList();
        return manifest with { Segments = segments };
    }

    // Files of earlier generations, segments merged away, and the folders of runs that ended without cleaning up.
    private static void RemoveUnlisted(string folder, Manifest manifest)
    {
        var listed = manifest.Segments.SelectMany(s => new[] { s.Name, s.Columnar }).Append(manifest.Ids.Name).Append(manifest.Fingerprints.Name)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        string[] ours = ["segment-", "columnar-", "ids-", "fingerprints-", "manifest-"];
        foreach (var file in Directory.EnumerateFiles(folder, "*-*.*"))
        {
            var name = Path.GetFileName(file);
            if (ours.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)) && !listed.Contains(name))
            {
                TryDelete(() => File.Delete(file));
            }
        }

        var runs = Path.Combine(folder, "runs");
        if (Directory.Exists(runs))
        {
            foreach (var run in Directory.EnumerateDirectories(runs))
            {
                if (FolderLease.IsLeased(run))
                {
                    FolderLease.RemoveIfAbandoned(run);
                }
                else if (int.TryParse(Path.GetFileName(run).Split('-')[0], out var pid) && !Running(pid))
                {
                    // Left by a version without leases: only its process id tells (in this namespace).
                    TryDelete(() => Directory.Delete(run, recursive: true));
                }
            }
        }
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
            // Left for the next run to remove.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // The run reads its own hard links to the files: a later run may replace them while this one queries.
    private static EventSnapshot Snapshot(string folder, Manifest manifest, EventSchema schema, string? signature)
    {
        var run = Path.Combine(folder, "runs", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(run);
        Leases.Add(FolderLease.Hold(run));
        string Linked(string name)
        {
            var from = Path.Combine(folder, name);
            var to = Path.Combine(run, name);
            if (!HardLink(from, to))
            {
                File.Copy(from, to); // a file system without hard links: slower, just as safe
            }

            return to;
        }

        var columnar = signature is not null && manifest.Segments.All(s => s.Signature == signature && s.Columnar is not null);
        var scanned = manifest.Scanner;
        return columnar
            ? new EventSnapshot([], schema, scanned.Skipped, scanned.Duplicates, HasKafkaMetadata: true, run, manifest.Segments.Select(s => Linked(s.Columnar!)).ToList())
            : new EventSnapshot(manifest.Segments.Select(s => Linked(s.Name)).ToList(), schema, scanned.Skipped, scanned.Duplicates, HasKafkaMetadata: true, run);
    }

    private static bool HardLink(string existing, string created)
    {
        try
        {
            return !OperatingSystem.IsWindows() && Link(existing, created) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);

    /// <summary>The exclusive right to update one cache folder, waited for.</summary>
    private sealed class FolderLock : IDisposable
    {
        private readonly FileStream _file;

        private FolderLock(FileStream file) => _file = file;

        // .NET takes an exclusive flock() for FileShare.None on Unix; it goes with the process, even on kill -9.
        public static FolderLock Acquire(string path, TimeSpan wait, string folder, Action<string> notice)
        {
            var clock = Stopwatch.StartNew();
            var told = false;
            while (true)
            {
                try
                {
                    return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException e) when (HeldByAnother(e) && clock.Elapsed < wait)
                {
                    if (!told)
                    {
                        notice($"Waiting for another run to finish updating the cache {folder}.");
                        told = true;
                    }

                    Thread.Sleep(50);
                }
                catch (IOException e) when (HeldByAnother(e))
                {
                    throw new SourceException($"The cache {folder} stayed locked by another run for {wait.TotalSeconds:0.#} s; try again, or use --no-cache.", e);
                }
            }
        }

        // What .NET reports for a file another process holds locked: the errno of flock(), EWOULDBLOCK
        // (11 on Linux, 35 on macOS), or Windows' sharing violation. Anything else (a read-only or full
        // file system) is no reason to wait, and goes up as the cache folder being unusable.
        private static bool HeldByAnother(IOException e) =>
            e.HResult == (OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsMacOS() ? 35 : 11);

        public void Dispose() => _file.Dispose();
    }
}

/// <summary>A file of the cache and its length when the manifest was written.</summary>
public sealed record CachedFile(string Name, long Length);

/// <summary>
/// A file of event lines, and the same rows as the table's columns when written (<paramref name="Columnar"/>,
/// its length, and the <see cref="ISegmentConverter.Signature"/> of the table it was written for).
/// </summary>
public sealed record CachedSegment(string Name, long Length, string? Columnar = null, long ColumnarLength = 0, string? Signature = null);

/// <summary>One partition as cached: its first offset then, the next to read, and the last record read (null: none).</summary>
public sealed record CachedPartition(int Partition, long Low, long Next, long? LastOffset, ulong LastHash);

/// <summary>The cache folder's table of contents. Replaced whole, by a rename, under the folder's lock.</summary>
public sealed record Manifest(
    int Version,
    string BootstrapServers,
    string Topic,
    IReadOnlyList<CachedPartition> Partitions,
    IReadOnlyList<CachedSegment> Segments,
    CachedFile Ids,
    CachedFile Fingerprints,
    ScannerState Scanner)
{
    // 2: the fingerprints of the event_ids in a file of their own. 3: no object DuckDB refuses in the
    // segments (a name twice, an unpaired surrogate, a NUL in a name), which made every run fail.
    // 4: a field's count leaves out JSON nulls (the scanner's counts are kept here).
    private const int CurrentVersion = 4;

    public const string FileName = "manifest.json";

    public static Manifest Empty(string bootstrapServers, string topic) =>
        new(CurrentVersion, bootstrapServers, topic, [], [], new CachedFile($"ids-{Guid.NewGuid():N}.bin", 0),
            new CachedFile($"fingerprints-{Guid.NewGuid():N}.bin", 0), ScannerState.Empty);

    /// <summary>
    /// The manifest, if there is one for this cluster and topic and every file it names is whole; else null,
    /// with <paramref name="unusable"/> saying why when there was a manifest.
    /// </summary>
    public static Manifest? Load(string folder, string bootstrapServers, string topic, out string? unusable)
    {
        unusable = null;
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), CacheJson.Default.Manifest);
            unusable = manifest is null || manifest.Version != CurrentVersion ? "it was written by another version"
                : manifest.BootstrapServers != bootstrapServers || manifest.Topic != topic ? "it holds another cluster's or topic's events"
                : !manifest.Segments.All(s => FileLength(Path.Combine(folder, s.Name)) == s.Length)
                    || !new[] { manifest.Ids, manifest.Fingerprints }.All(f => f.Length == 0 || FileLength(Path.Combine(folder, f.Name)) >= f.Length)
                    ? "some of its files are missing or damaged"
                : null;
            return unusable is null ? manifest : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            unusable = $"its manifest cannot be read ({e.Message})";
            return null;
        }
    }

    internal static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : -1;

    public void Save(string folder)
    {
        var temporary = Path.Combine(folder, $"manifest-{Guid.NewGuid():N}.tmp");
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, this, CacheJson.Default.Manifest);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(folder, FileName), overwrite: true);
    }

    /// <summary>The event_ids the manifest covers (a crashed update may have written more: not read).</summary>
    public List<string> ReadIds(string folder)
    {
        var ids = new List<string>();
        var path = Path.Combine(folder, Ids.Name);
        if (Ids.Length == 0 || !File.Exists(path))
        {
            return ids;
        }

        using var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
        while (reader.BaseStream.Position < Ids.Length)
        {
            ids.Add(reader.ReadString());
        }

        return ids;
    }

    /// <summary>The fingerprints of the event_ids the manifest covers, ascending.</summary>
    public ulong[] ReadFingerprints(string folder)
    {
        var path = Path.Combine(folder, Fingerprints.Name);
        if (Fingerprints.Length == 0 || !File.Exists(path))
        {
            return [];
        }

        var fingerprints = new ulong[Fingerprints.Length / sizeof(ulong)];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(fingerprints.AsSpan());
        using (var file = File.OpenHandle(path))
        {
            for (int read = 0, got; read < bytes.Length; read += got)
            {
                got = RandomAccess.Read(file, bytes[read..], read);
                if (got == 0)
                {
                    throw new IOException($"{path} ends before the manifest says it does.");
                }
            }
        }

        Array.Sort(fingerprints);
        return fingerprints;
    }

    /// <summary>
    /// Appends ids, and their fingerprints, after what the manifest covers; the files as the next manifest
    /// should name them.
    /// </summary>
    public (CachedFile Ids, CachedFile Fingerprints) AppendIds(string folder, IReadOnlyList<string> added)
    {
        if (added.Count == 0)
        {
            return (Ids, Fingerprints);
        }

        var ids = Append(folder, Ids, writer =>
        {
            foreach (var id in added)
            {
                writer.Write(id);
            }
        });
        var fingerprints = Append(folder, Fingerprints, writer =>
        {
            foreach (var id in added)
            {
                writer.Write(SchemaScanner.EventIdFingerprint(id)); // little-endian, as ReadFingerprints reads them
            }
        });
        return (ids, fingerprints);
    }

    private static CachedFile Append(string folder, CachedFile cached, Action<BinaryWriter> write)
    {
        using var file = new FileStream(Path.Combine(folder, cached.Name), FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1 << 16);
        file.SetLength(cached.Length); // drop what a crashed update left after it
        file.Position = cached.Length;
        using (var writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        file.Flush(flushToDisk: true);
        return cached with { Length = file.Length };
    }
}

/// <summary>The manifest's JSON, generated at build time (the native build has no reflection-based serializer).</summary>
[JsonSerializable(typeof(Manifest))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class CacheJson : JsonSerializerContext;
