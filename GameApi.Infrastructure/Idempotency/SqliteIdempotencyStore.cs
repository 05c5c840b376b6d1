using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using GameApi.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// The single-machine store: answers in a SQLite file (WAL, synchronous=FULL, written with group commit,
/// like the spool), so a restart or a crash after an answer still replays it; keys in flight in memory.
/// At most <c>maxKeys</c> answers: past it the oldest go, those past retention first.
/// </summary>
/// <remarks>
/// Almost every key arrives once, so the file is written as a log: rows in the order answers were
/// kept, with no index on the key, each commit appending to the file's last pages (an index on random
/// keys would dirty a page per key). Memory holds a 64-bit hash of each stored key with its row: a new
/// key is claimed without reading the file, a retry reads one row by its id.
/// </remarks>
public sealed partial class SqliteIdempotencyStore : IIdempotencyStore, IDisposable
{
    // Expired answers are never replayed (each read checks the time); this is how often their rows are
    // deleted when the store is not full.
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, IdempotentRequest> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, long> _rows = [];
    private readonly Lock _rowsGate = new();
    private readonly ConcurrentBag<Reader> _readers = [];
    private readonly TimeSpan _retention;
    private readonly long _maxKeys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _readOnly;
    private readonly SqliteConnection? _writer;
    private readonly FileStream? _claim;
    private readonly SqliteCommand? _insert;
    private readonly GroupCommit<Keep> _commits;
    private DateTimeOffset _nextSweep;
    private long _nextRow = 1;
    // Why the last write failed (disk full), until a write succeeds: keyed requests get 503 meanwhile,
    // and one of them at most once a second tries a write (a probe) to learn whether it can again.
    private volatile string? _writeError;
    private long _nextProbe;

    /// <param name="forgetEarlierRuns">
    /// Delete the answers an earlier process kept: with the embedded broker, whose events are in memory
    /// only, their events are gone, and a replayed 200 would say recorded what no longer is. A retry is
    /// then processed again (with the same event_id, which the analytics counts once).
    /// </param>
    public SqliteIdempotencyStore(string path, TimeSpan retention, long maxKeys, TimeProvider time, ILogger<SqliteIdempotencyStore> logger, bool forgetEarlierRuns = false)
    {
        Path = System.IO.Path.GetFullPath(path);
        _retention = retention;
        _maxKeys = maxKeys;
        _time = time;
        _logger = logger;
        _readOnly = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5 }.ToString();
        try
        {
            // id: the order answers were kept in, which is the order they expire and are evicted in.
            _claim = DurableSqlite.Claim(Path, "Idempotency:Path");
            _writer = DurableSqlite.Open(Path, "CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
                + " status INTEGER NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL, kept INTEGER NOT NULL);");
            using var rows = _writer.CreateCommand();
            if (forgetEarlierRuns)
            {
                rows.CommandText = "DELETE FROM answers";
                Forgotten = rows.ExecuteNonQuery();
            }

            rows.CommandText = "SELECT id, key FROM answers ORDER BY id";
            using (var reader = rows.ExecuteReader())
            {
                while (reader.Read())
                {
                    _rows[Hash(reader.GetString(1))] = reader.GetInt64(0); // the newest row of a key counts
                    _nextRow = reader.GetInt64(0) + 1;
                }
            }

            _insert = Prepare("INSERT INTO answers (id, key, fingerprint, status, content_type, body, kept)"
                + " VALUES ($id, $key, $fingerprint, $status, $content_type, $body, $kept)",
                "$id", "$key", "$fingerprint", "$status", "$content_type", "$body", "$kept");
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            // The API still starts: requests without a key are unaffected, requests with one get 503.
            Error = $"The idempotency keys at {Path} cannot be opened: {e.Message}";
            _writer?.Dispose();
            _writer = null;
            _claim?.Dispose();
            _claim = null;
        }

        _nextSweep = time.GetUtcNow();
        _commits = new GroupCommit<Keep>("keys writer", Write);
    }

    public string Path { get; }

    /// <summary>Answers kept by an earlier process and deleted at start (see the constructor's forgetEarlierRuns).</summary>
    public long Forgotten { get; }

    /// <summary>Why the file cannot be opened, or null when it opened.</summary>
    public string? Error { get; }

    public string? Unavailable => Error ?? _writeError;

    /// <summary>Keys with an answer kept, past retention included until they are swept.</summary>
    public long Count
    {
        get
        {
            lock (_rowsGate)
            {
                return _rows.Count;
            }
        }
    }

    public Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Error is { } error)
        {
            throw new IdempotencyStoreException(error);
        }

        return _writeError is null ? Task.FromResult(Claim(request)) : ClaimAfterWriteErrorAsync(request);
    }

    // An answer could not be kept: no request is processed until a write succeeds again, since its
    // answer could not be kept either and a retry would record its event a second time.
    private async Task<IdempotencyClaim> ClaimAfterWriteErrorAsync(IdempotentRequest request)
    {
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextProbe);
        if (_writeError is { } failed && (now < next || Interlocked.CompareExchange(ref _nextProbe, now + 1000, next) != next))
        {
            throw new IdempotencyStoreException(failed);
        }

        try
        {
            await _commits.WriteAsync(Keep.Probe);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or ObjectDisposedException)
        {
            Interlocked.Exchange(ref _nextProbe, Environment.TickCount64 + 1000); // a second from its end: it may have waited out the busy timeout
            throw new IdempotencyStoreException(_writeError ?? e.Message, e);
        }

        return Claim(request);
    }

    private IdempotencyClaim Claim(IdempotentRequest request)
    {
        try
        {
            // An answered key is replayed without taking it: retries of an answered request, however
            // many arrive at once, all get the answer (holding the key while reading would show the
            // others a request in flight).
            if (Answered(request) is { } answered)
            {
                return answered;
            }

            if (!_inFlight.TryAdd(request.Key, request))
            {
                // Held by a request still in flight; had it just finished, its answer is found next time.
                return _inFlight.TryGetValue(request.Key, out var holder) && holder.Fingerprint != request.Fingerprint
                    ? IdempotencyClaim.OtherRequest
                    : IdempotencyClaim.InFlight;
            }

            // The holder may have kept its answer and let go between the look-up and the claim (it
            // lets go only once its row is known, so the answer is found now).
            if (Answered(request) is { } justAnswered)
            {
                Release(request);
                return justAnswered;
            }

            return IdempotencyClaim.Claimed;
        }
        catch (SqliteException e)
        {
            Release(request);
            throw new IdempotencyStoreException($"The idempotency keys at {Path} cannot be read: {e.Message}", e);
        }
    }

    // The kept answer's replay, or OtherRequest when the key answered another request; null when none is kept.
    private IdempotencyClaim? Answered(IdempotentRequest request) =>
        RowOf(request.Key) is { } row && Find(row, request.Key) is { } kept
            ? kept.Fingerprint == request.Fingerprint ? IdempotencyClaim.Replay(kept.Answer) : IdempotencyClaim.OtherRequest
            : null;

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

    // Two keys with one hash (about one chance in 10^7 among a million keys) share an entry: the later
    // one's. A retry of the earlier is then processed again, as after its eviction.
    private static ulong Hash(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()));

    private long? RowOf(string key)
    {
        lock (_rowsGate)
        {
            return _rows.TryGetValue(Hash(key), out var row) ? row : null;
        }
    }

    private (RequestFingerprint Fingerprint, KeptAnswer Answer)? Find(long row, string key)
    {
        // Connections with their statement prepared, reused: WAL lets them read while the writer writes.
        var reader = _readers.TryTake(out var pooled) ? pooled : new Reader(_readOnly);
        try
        {
            return reader.Find(row, key, (_time.GetUtcNow() - _retention).ToUnixTimeMilliseconds());
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    // On the group commit's thread: the only writer.
    private void Write(IReadOnlyList<Keep> batch)
    {
        try
        {
            WriteBatch(batch);
            _writeError = null;
        }
        catch (SqliteException e)
        {
            _writeError = $"The idempotency keys at {Path} cannot be written: {e.Message}";
            throw;
        }
    }

    private void WriteBatch(IReadOnlyList<Keep> batch)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException(Error);
        }

        // Probes ask only whether the file can be written: answers kept with them are that write.
        batch = batch.Where(keep => keep.Request is not null).ToList();
        if (batch.Count == 0)
        {
            DurableSqlite.WriteProbe(_writer);
            return;
        }

        var written = new (ulong Hash, long Row)[batch.Count];
        using (var transaction = _writer.BeginTransaction())
        {
            // A key kept again was past retention (else it was replayed, not claimed): its older row
            // stays until the sweep reaches it; the key's entry points at the new row from now on.
            _insert!.Transaction = transaction;
            var row = _nextRow;
            for (var i = 0; i < batch.Count; i++, row++)
            {
                var (request, answer) = (batch[i].Request!, batch[i].Answer!);
                _insert.Parameters[0].Value = row;
                _insert.Parameters[1].Value = request.Key;
                _insert.Parameters[2].Value = request.Fingerprint.Value;
                _insert.Parameters[3].Value = answer.StatusCode;
                _insert.Parameters[4].Value = answer.ContentType;
                _insert.Parameters[5].Value = answer.Body;
                _insert.Parameters[6].Value = batch[i].Time.ToUnixTimeMilliseconds();
                _insert.ExecuteNonQuery();
                written[i] = (Hash(request.Key), row);
            }

            transaction.Commit(); // synchronous=FULL: on disk when this returns
            _nextRow = row;
        }

        lock (_rowsGate)
        {
            foreach (var (hash, row) in written)
            {
                _rows[hash] = row;
            }
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
        using var expire = Command(transaction, "DELETE FROM answers WHERE id < COALESCE("
            + "(SELECT id FROM answers WHERE kept >= $since ORDER BY id LIMIT 1), (SELECT MAX(id) + 1 FROM answers), 0) RETURNING id, key");
        expire.Parameters.AddWithValue("$since", (now - _retention).ToUnixTimeMilliseconds());
        var removed = Deleted(expire);
        var expired = removed.Count;
        var over = Count - expired - _maxKeys;
        var evicted = 0;
        if (over > 0)
        {
            using var evict = Command(transaction, "DELETE FROM answers WHERE id IN (SELECT id FROM answers ORDER BY id LIMIT $over) RETURNING id, key");
            evict.Parameters.AddWithValue("$over", over);
            var gone = Deleted(evict);
            evicted = gone.Count;
            removed.AddRange(gone);
        }

        transaction.Commit();
        lock (_rowsGate)
        {
            foreach (var (row, key) in removed)
            {
                // Unless the entry is already another row's (the key kept again, or a hash collision).
                var hash = Hash(key);
                if (_rows.TryGetValue(hash, out var current) && current == row)
                {
                    _rows.Remove(hash);
                }
            }
        }

        if (evicted > 0)
        {
            LogEvicted(evicted, _maxKeys);
        }
    }

    private static List<(long Row, string Key)> Deleted(SqliteCommand delete)
    {
        var rows = new List<(long, string)>();
        using var reader = delete.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _writer!.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _writer!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicted {Count} idempotency keys before the end of their retention: more keys arrive within the retention than Idempotency:MaxKeys ({MaxKeys}) holds; a retry with one of them is processed again")]
    private partial void LogEvicted(int count, long maxKeys);

    public void Dispose()
    {
        _commits.Dispose();
        _insert?.Dispose();
        _writer?.Dispose();
        _claim?.Dispose(); // after the file is closed: see DurableSqlite.Claim
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    /// <summary>An answer to keep, or (Request null) a probe: a write that only tells whether the file can be written.</summary>
    private readonly record struct Keep(IdempotentRequest? Request, KeptAnswer? Answer, DateTimeOffset Time)
    {
        public static Keep Probe => new(null, null, default);
    }

    /// <summary>A read-only connection with its look-up prepared; one request uses it at a time.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _select;

        public Reader(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            _select = _connection.CreateCommand();
            _select.CommandText = "SELECT key, fingerprint, status, content_type, body FROM answers WHERE id = $id AND kept >= $since";
            _select.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            _select.Parameters.Add(new SqliteParameter { ParameterName = "$since" });
            _select.Prepare();
        }

        /// <summary>The answer in the row, if the row is the key's and within retention.</summary>
        public (RequestFingerprint Fingerprint, KeptAnswer Answer)? Find(long row, string key, long since)
        {
            _select.Parameters[0].Value = row;
            _select.Parameters[1].Value = since;
            using var reader = _select.ExecuteReader();
            return reader.Read() && reader.GetString(0) == key
                ? (new RequestFingerprint(reader.GetString(1)), new KeptAnswer(reader.GetInt32(2), reader.GetString(3), reader.GetString(4)))
                : null;
        }

        public void Dispose()
        {
            _select.Dispose();
            _connection.Dispose();
        }
    }
}
