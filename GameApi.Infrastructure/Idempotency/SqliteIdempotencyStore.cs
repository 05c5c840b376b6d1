using System.Collections.Concurrent;
using GameApi.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// The single-machine store: answers in a SQLite file (WAL, synchronous=FULL, written with group commit,
/// like the spool), so a restart or a crash after an answer still replays it; keys in flight in memory.
/// At most <c>maxKeys</c> answers: past it the oldest go, those past retention first.
/// </summary>
public sealed partial class SqliteIdempotencyStore : IIdempotencyStore, IDisposable
{
    // Expired answers are never replayed (each read checks the time); this is how often their rows are
    // deleted when the store is not full.
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, IdempotentRequest> _inFlight = new(StringComparer.Ordinal);
    private readonly TimeSpan _retention;
    private readonly long _maxKeys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _readers;
    private readonly SqliteConnection? _writer;
    private readonly GroupCommit<Keep> _commits;
    private long _count;
    private DateTimeOffset _nextSweep;

    public SqliteIdempotencyStore(string path, TimeSpan retention, long maxKeys, TimeProvider time, ILogger<SqliteIdempotencyStore> logger)
    {
        Path = System.IO.Path.GetFullPath(path);
        _retention = retention;
        _maxKeys = maxKeys;
        _time = time;
        _logger = logger;
        _readers = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = true, DefaultTimeout = 5 }.ToString();
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            _writer = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false, DefaultTimeout = 5 }.ToString());
            _writer.Open();
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"
                // id: the order answers were kept in, which is the order they expire and are evicted in.
                + "CREATE TABLE IF NOT EXISTS keys (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,"
                + " fingerprint TEXT NOT NULL, status INTEGER NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL, kept INTEGER NOT NULL);");
            using var count = _writer.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM keys";
            _count = (long)count.ExecuteScalar()!;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            // The API still starts: requests without a key are unaffected, requests with one get 503.
            Error = $"The idempotency keys at {Path} cannot be opened: {e.Message}";
            _writer?.Dispose();
            _writer = null;
        }

        _nextSweep = time.GetUtcNow();
        _commits = new GroupCommit<Keep>(Write);
    }

    public string Path { get; }

    /// <summary>Why the file cannot be opened, or null when it opened.</summary>
    public string? Error { get; }

    public string? Unavailable => Error;

    /// <summary>Answers kept, past retention included until they are swept.</summary>
    public long Count => Interlocked.Read(ref _count);

    public Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Error is { } error)
        {
            throw new IdempotencyStoreException(error);
        }

        if (!_inFlight.TryAdd(request.Key, request))
        {
            // Held by a request still in flight; had it just finished, its answer is found next time.
            return Task.FromResult(_inFlight.TryGetValue(request.Key, out var holder) && holder.Fingerprint != request.Fingerprint
                ? IdempotencyClaim.OtherRequest
                : IdempotencyClaim.InFlight);
        }

        try
        {
            var kept = Find(request.Key);
            if (kept is null)
            {
                return Task.FromResult(IdempotencyClaim.Claimed);
            }

            Release(request);
            return Task.FromResult(kept.Value.Fingerprint == request.Fingerprint
                ? IdempotencyClaim.Replay(kept.Value.Answer)
                : IdempotencyClaim.OtherRequest);
        }
        catch (SqliteException e)
        {
            Release(request);
            throw new IdempotencyStoreException($"The idempotency keys at {Path} cannot be read: {e.Message}", e);
        }
    }

    public async Task KeepAsync(IdempotentRequest request, KeptAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await _commits.WriteAsync(new Keep(request, answer, _time.GetUtcNow()));
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or ObjectDisposedException)
        {
            throw new IdempotencyStoreException($"The idempotency keys at {Path} cannot be written: {e.Message}", e);
        }
        finally
        {
            // Only now: until the answer is on disk, a retry must see the key in flight, not free.
            Release(request);
        }
    }

    public Task ReleaseAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Release(request);
        return Task.CompletedTask;
    }

    private void Release(IdempotentRequest request) => _inFlight.TryRemove(KeyValuePair.Create(request.Key, request));

    private (RequestFingerprint Fingerprint, KeptAnswer Answer)? Find(string key)
    {
        using var connection = new SqliteConnection(_readers);
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT fingerprint, status, content_type, body FROM keys WHERE key = $key AND kept >= $since";
        select.Parameters.AddWithValue("$key", key);
        select.Parameters.AddWithValue("$since", (_time.GetUtcNow() - _retention).ToUnixTimeMilliseconds());
        using var reader = select.ExecuteReader();
        return reader.Read()
            ? (new RequestFingerprint(reader.GetString(0)), new KeptAnswer(reader.GetInt32(1), reader.GetString(2), reader.GetString(3)))
            : null;
    }

    // On the group commit's thread: the only writer.
    private void Write(IReadOnlyList<Keep> batch)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException(Error);
        }

        using (var transaction = _writer.BeginTransaction())
        {
            // A key still in the file is past retention (else it was replayed, not claimed): its row goes.
            using var delete = Command(transaction, "DELETE FROM keys WHERE key = $key");
            using var insert = Command(transaction, "INSERT INTO keys (key, fingerprint, status, content_type, body, kept)"
                + " VALUES ($key, $fingerprint, $status, $content_type, $body, $kept)");
            var added = 0L;
            foreach (var keep in batch)
            {
                delete.Parameters.AddWithValue("$key", keep.Request.Key);
                added -= delete.ExecuteNonQuery();
                delete.Parameters.Clear();
                insert.Parameters.AddWithValue("$key", keep.Request.Key);
                insert.Parameters.AddWithValue("$fingerprint", keep.Request.Fingerprint.Value);
                insert.Parameters.AddWithValue("$status", keep.Answer.StatusCode);
                insert.Parameters.AddWithValue("$content_type", keep.Answer.ContentType);
                insert.Parameters.AddWithValue("$body", keep.Answer.Body);
                insert.Parameters.AddWithValue("$kept", keep.Time.ToUnixTimeMilliseconds());
                added += insert.ExecuteNonQuery();
                insert.Parameters.Clear();
            }

            transaction.Commit(); // synchronous=FULL: on disk when this returns
            Interlocked.Add(ref _count, added);
        }

        var now = _time.GetUtcNow();
        if (Count > _maxKeys || now >= _nextSweep)
        {
            Sweep(now);
            _nextSweep = now + SweepInterval;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        using var transaction = _writer!.BeginTransaction();
        // Rows are in the order they were kept: the expired ones are those before the first live one,
        // found without reading the rest of the table.
        using var expire = Command(transaction, "DELETE FROM keys WHERE id < COALESCE("
            + "(SELECT id FROM keys WHERE kept >= $since ORDER BY id LIMIT 1), (SELECT MAX(id) + 1 FROM keys), 0)");
        expire.Parameters.AddWithValue("$since", (now - _retention).ToUnixTimeMilliseconds());
        var expired = expire.ExecuteNonQuery();
        var over = Count - expired - _maxKeys;
        var evicted = 0;
        if (over > 0)
        {
            using var evict = Command(transaction, "DELETE FROM keys WHERE id IN (SELECT id FROM keys ORDER BY id LIMIT $over)");
            evict.Parameters.AddWithValue("$over", over);
            evicted = evict.ExecuteNonQuery();
        }

        transaction.Commit();
        Interlocked.Add(ref _count, -(expired + evicted));
        if (evicted > 0)
        {
            LogEvicted(evicted, _maxKeys);
        }
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _writer!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = _writer!.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicted {Count} idempotency keys before the end of their retention: more keys arrive within the retention than Idempotency:MaxKeys ({MaxKeys}) holds; a retry with one of them is processed again")]
    private partial void LogEvicted(int count, long maxKeys);

    public void Dispose()
    {
        _commits.Dispose();
        _writer?.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private readonly record struct Keep(IdempotentRequest Request, KeptAnswer Answer, DateTimeOffset Time);
}
