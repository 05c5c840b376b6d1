using GameApi.Infrastructure.Storage;
using Microsoft.Data.Sqlite;

namespace GameApi.Infrastructure.Spool;

/// <summary>A spooled event: its place in the spool and the JSON to send.</summary>
public readonly record struct SpooledEvent(long Sequence, string Value);

/// <summary>
/// Events waiting for Kafka, in a SQLite file (WAL, synchronous=FULL). An append completes only once
/// its transaction is on disk; concurrent appends share one transaction (<see cref="GroupCommit{T}"/>).
/// </summary>
public sealed class EventSpool : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _maxBytes;
    private readonly SqliteConnection? _connection;
    private readonly FileStream? _claim;
    // The spool's file as opened, and the kernel's name for it then, to tell whether Path still names it
    // (see CheckFile).
    private readonly FileStream? _file;
    private readonly string? _openedAs;
    private readonly GroupCommit<Append> _commits;
    private long _bytes;
    private long _count;
    private volatile bool _refusedForRoom;

    public EventSpool(string path, long maxBytes)
    {
        _maxBytes = maxBytes;
        Path = System.IO.Path.GetFullPath(path);
        try
        {
            _claim = DurableSqlite.Claim(Path, "Spool:Path");
            _connection = DurableSqlite.Open(Path, "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL);");
            // Only read, never written, and closed after the connection (closing a file descriptor drops
            // the process's SQLite locks on the file).
            _file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _openedAs = KernelName(_file);
            using var count = _connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*), COALESCE(SUM(length(CAST(value AS BLOB))), 0) FROM spool";
            using var reader = count.ExecuteReader();
            reader.Read();
            _count = reader.GetInt64(0);
            _bytes = reader.GetInt64(1);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            // The API still starts: requests that need the spool get 503 and readiness says why.
            Error = $"The spool at {Path} cannot be opened: {e.Message}";
            _connection?.Dispose();
            _connection = null;
            _file?.Dispose();
            _file = null;
            _claim?.Dispose();
            _claim = null;
        }

        _commits = new GroupCommit<Append>("spool writer", InsertUnderGate);
    }

    public string Path { get; }

    /// <summary>Why the spool cannot be opened, or null when it opened.</summary>
    public string? Error { get; private set; }

    /// <summary>Why the last write failed (disk full, permissions), or null once one succeeds again (an append, a removal, a probe).</summary>
    public string? WriteError { get; private set; }

    /// <summary>
    /// Why the spool takes no more events for the rest of the run, or null: its file is damaged (SQLite
    /// reports it malformed), or was deleted or replaced while the API ran. Events acknowledged into it
    /// would be lost with it: new ones go to Kafka or get 503 instead, while the relay still sends on
    /// what it can read.
    /// </summary>
    public string? Damaged { get; private set; }

    /// <summary>Events waiting for Kafka.</summary>
    public long Count => Interlocked.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>At its limit, or it refused an event for lack of room and nothing has been removed since.</summary>
    public bool IsFull => _refusedForRoom || Bytes >= _maxBytes;

    /// <summary>Stores the event durably; completes once it is on disk.</summary>
    /// <exception cref="SpoolException">The spool is full or cannot be written.</exception>
    public Task AppendAsync(string value)
    {
        if ((Error ?? Damaged) is { } error)
        {
            throw new SpoolException(error);
        }

        var size = Size(value);
        if (Bytes + size > _maxBytes)
        {
            _refusedForRoom = true;
            throw new SpoolException($"The spool at {Path} is full ({Bytes} of {_maxBytes} bytes).");
        }

        return AppendDurablyAsync(new Append(value, size));
    }

    private Task AppendDurablyAsync(Append append)
    {
        try
        {
            return _commits.WriteAsync(append);
        }
        catch (ObjectDisposedException)
        {
            throw new SpoolException("The spool is closed.");
        }
    }

    // On the group commit's thread, so WriteError follows the batches in their order.
    private void InsertUnderGate(IReadOnlyList<Append> batch)
    {
        _gate.Wait();
        try
        {
            Insert(batch);
            WriteError = null;
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or SpoolException)
        {
            throw WriteFailed(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Insert(IReadOnlyList<Append> batch)
    {
        if (_connection is null)
        {
            throw new SpoolException(Error ?? "The spool is not open.");
        }

        // Once per batch, before anything is acknowledged into the file.
        CheckFile();
        if (Damaged is { } damaged)
        {
            throw new SpoolException(damaged);
        }

        using var transaction = _connection.BeginTransaction();
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO spool (value) VALUES ($value)";
        var parameter = insert.Parameters.Add("$value", SqliteType.Text);
        foreach (var append in batch)
        {
            parameter.Value = append.Value;
            insert.ExecuteNonQuery();
        }

        transaction.Commit(); // synchronous=FULL: on disk when this returns
        Interlocked.Add(ref _count, batch.Count);
        Interlocked.Add(ref _bytes, batch.Sum(a => a.Size));
    }

    /// <summary>The oldest spooled events, in the order they were spooled.</summary>
    public async Task<IReadOnlyList<SpooledEvent>> ReadOldestAsync(int count)
    {
        if (_connection is null)
        {
            return [];
        }

        await _gate.WaitAsync();
        try
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT seq, value FROM spool ORDER BY seq LIMIT $count";
            select.Parameters.AddWithValue("$count", count);
            using var reader = select.ExecuteReader();
            var events = new List<SpooledEvent>();
            while (reader.Read())
            {
                events.Add(new SpooledEvent(reader.GetInt64(0), reader.GetString(1)));
            }

            return events;
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            NoteIfDamaged(e);
            throw new SpoolException($"The spool at {Path} cannot be read: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes the given events, which Kafka has acknowledged.</summary>
    /// <exception cref="SpoolException">The spool cannot be written (disk full, permissions): they are still in it.</exception>
    public async Task RemoveAsync(IReadOnlyList<SpooledEvent> events)
    {
        if (_connection is null || events.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            using var delete = _connection.CreateCommand();
            delete.CommandText = "DELETE FROM spool WHERE seq BETWEEN $first AND $last";
            delete.Parameters.AddWithValue("$first", events[0].Sequence);
            delete.Parameters.AddWithValue("$last", events[^1].Sequence);
            delete.ExecuteNonQuery();
            WriteError = null;
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            throw WriteFailed(e);
        }
        finally
        {
            _gate.Release();
        }

        _refusedForRoom = false;
        Interlocked.Add(ref _count, -events.Count);
        Interlocked.Add(ref _bytes, -events.Sum(e => Size(e.Value)));
    }

    /// <summary>
    /// After a failed write, writes the file once more (<see cref="DurableSqlite.WriteProbe"/>) to learn
    /// whether it can be written again. Without it, a spool that stays empty once Kafka is back would report the old
    /// failure forever, since only a write clears it.
    /// </summary>
    public async Task ProbeAfterWriteErrorAsync()
    {
        if (_connection is null || WriteError is null)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            DurableSqlite.WriteProbe(_connection);
            WriteError = null;
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            WriteFailed(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SpoolException WriteFailed(Exception e)
    {
        NoteIfDamaged(e);
        var failure = new SpoolException($"The spool at {Path} cannot be written: {e.Message}", e);
        WriteError = failure.Message;
        return failure;
    }

    // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): no later write makes the file sound again.
    private void NoteIfDamaged(Exception e)
    {
        if (Damaged is null && e is SqliteException { SqliteErrorCode: 11 or 26 })
        {
            Damaged = $"The spool at {Path} is damaged ({e.Message}): it takes no more events; those in it are relayed as far as they can be read. "
                + "Stop the API, move the file aside and start again for a new spool.";
        }
    }

    // Linux names an open file's descriptor after its path, with " (deleted)" once no path names it any
    // more; elsewhere only the deletion of Path is seen.
    private static string? KernelName(FileStream file) =>
        OperatingSystem.IsLinux() ? new FileInfo($"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}").LinkTarget : null;

    /// <summary>
    /// Checks that <see cref="Path"/> still names the file the spool opened: deleted (or replaced) while the
    /// API runs, the spool would go on writing a file no path reaches, lost at the next restart with every
    /// event acknowledged into it. Called before each batch of appends (what it would lose) and by readiness
    /// (what shows it); nothing else needs to know.
    /// </summary>
    public void CheckFile()
    {
        if (_file is null || Damaged is not null)
        {
            return;
        }

        if (!File.Exists(Path) || KernelName(_file) != _openedAs)
        {
            Damaged = $"The spool file {Path} was deleted or replaced while the API ran: it takes no more events; the {Count} in it are relayed from the open file. "
                + "Restart the API for a new spool file.";
        }
    }

    // What the limit counts: UTF-8 bytes, as SQLite stores the text.
    private static long Size(string value) => System.Text.Encoding.UTF8.GetByteCount(value);

    public void Dispose()
    {
        _commits.Dispose();
        _connection?.Dispose();
        _file?.Dispose();
        _claim?.Dispose(); // last: until the file is closed, no other process may take it
        _gate.Dispose();
    }

    private readonly record struct Append(string Value, long Size);
}
