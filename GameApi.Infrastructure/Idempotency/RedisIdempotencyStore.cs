using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Keys in Redis, shared by every instance: a retry that reaches another instance is replayed there.
/// A claim is one atomic script (read the key, or set it with an expiry when free); the answer then
/// replaces the claim, and only the attempt that claimed the key can keep or release it. How durable
/// a kept answer is across a Redis restart is Redis's persistence setting (appendonly, appendfsync).
/// </summary>
public sealed partial class RedisIdempotencyStore : IIdempotencyStore, IDisposable
{
    /// <summary>Prefix of every key this store writes in Redis.</summary>
    public const string Prefix = "gameapi:idempotency:";

    // A claim outlives any request (Spool:KafkaWait plus one spool write is at most seconds), so it
    // expires mid-request only when the instance holding it died or was paused longer than this; a
    // retry after that is processed (by a paused instance too, once it resumes: same event_id).
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(2);

    // Returns the key's value when it is taken; otherwise takes it, returns nil.
    private const string ClaimScript = """
        local held = redis.call('GET', KEYS[1])
        if held then return held end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return false
        """;

    // Replaces this attempt's claim with the answer; 0 when the claim is no longer this attempt's.
    private const string KeepScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        return redis.call('DEL', KEYS[1])
        """;

    // A key no client can send: keys are visible ASCII, without spaces.
    private const string ProbeKey = " probe";

    private const string ClaimTag = "claim";
    private const string AnswerTag = "answer";

    private readonly Task<ConnectionMultiplexer> _connecting;
    private readonly TimeSpan _retention;
    private readonly ILogger<RedisIdempotencyStore> _logger;

    // Claims to release, with when each expires anyway (Environment.TickCount64): a claim whose answer
    // did not come (Redis still runs it once it reads it), or one that could not be kept or released.
    // A release deletes this attempt's own claim only, so sending it late or twice does no harm.
    private readonly ConcurrentDictionary<IdempotentRequest, long> _releases = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _releasing;

    // Why the last claim or keep failed, while no claim, keep or probe has succeeded since: connected
    // is not enough (a Redis that is full, read-only, paused, or refuses our user answers no request).
    private volatile string? _failure;
    private int _probing;

    /// <exception cref="ArgumentException">Not a configuration string that can be used (<see cref="RedisConfiguration.Problem"/>).</exception>
    public RedisIdempotencyStore(string connectionString, TimeSpan retention, ILogger<RedisIdempotencyStore> logger)
    {
        _logger = logger;
        var options = RedisConfiguration.Parse(connectionString);
        Endpoints = RedisConfiguration.Describe(options);
        // Start without Redis and keep reconnecting; meanwhile a request with a key fails at once (503)
        // instead of queueing behind a connection that may not come. The API does not wait for the
        // first connection: requests with a key do, at most the connection string's connectTimeout.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // For INFO (the memory policy), which the library otherwise refuses to send; this store sends
        // nothing else of the kind.
        options.AllowAdmin = true;
        _connecting = ConnectionMultiplexer.ConnectAsync(options);
        _ = _connecting.ContinueWith(WatchEvictionPolicyAsync, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();
        _retention = retention;
    }

    /// <summary>Where Redis is: its servers as configured, nothing else (no password).</summary>
    public string Endpoints { get; }

    public string? Unavailable => _connecting.IsCompletedSuccessfully && _connecting.Result.IsConnected ? _failure : $"Redis at {Endpoints} is not connected.";

    public async Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RedisResult held;
        try
        {
            held = await RunAsync(ClaimScript, request.Key, ClaimValue(request), Milliseconds(ClaimLifetime));
        }
        catch (IdempotencyStoreException e)
        {
            Failed(e);
            if (MayHaveReachedRedis(e))
            {
                // The request is refused (503), but its claim may still be set: then a retry would get
                // 409 until the claim expired.
                ReleaseLater(request);
            }

            throw;
        }

        if (held.IsNull)
        {
            _failure = null;
            return IdempotencyClaim.Claimed;
        }

        // "claim\n<attempt>\n<fingerprint>" or "answer\n<fingerprint>\n<status>\n<content type>\n<body>"
        var parts = ((string)held!).Split('\n', 5);
        var fingerprint = new RequestFingerprint(parts[0] == ClaimTag ? parts[2] : parts[1]);
        if (fingerprint != request.Fingerprint)
        {
            return IdempotencyClaim.OtherRequest;
        }

        return parts[0] == ClaimTag
            ? IdempotencyClaim.InFlight
            : IdempotencyClaim.Replay(new KeptAnswer(int.Parse(parts[2], CultureInfo.InvariantCulture), parts[3], parts[4]));
    }

    public async Task KeepAsync(IdempotentRequest request, KeptAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answer);
        var value = string.Join('\n', AnswerTag, request.Fingerprint.Value, answer.StatusCode.ToString(CultureInfo.InvariantCulture), answer.ContentType, answer.Body);
        RedisResult kept;
        try
        {
            kept = await RunAsync(KeepScript, request.Key, ClaimValue(request), value, Milliseconds(_retention));
        }
        catch (IdempotencyStoreException e)
        {
            // Not kept (Redis full, gone): free the key, so that a retry is processed rather than
            // answered 409 until the claim expires. A full Redis still deletes.
            Failed(e);
            ReleaseLater(request);
            throw;
        }

        _failure = null;
        if ((int)kept == 0)
        {
            throw new IdempotencyStoreException($"The claim on idempotency key {request.Key} expired before its answer was kept.");
        }
    }

    public async Task ReleaseAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await RunAsync(ReleaseScript, request.Key, ClaimValue(request));
        }
        catch (IdempotencyStoreException)
        {
            ReleaseLater(request);
            throw;
        }
    }

    // Every key here has an expiry, so a policy other than noeviction (volatile-*, allkeys-*) may
    // evict kept answers and claims under memory pressure: a retry is then processed again. Checked at
    // the first connection and each reconnection (a failover may bring another server).
    private Task WatchEvictionPolicyAsync(Task<ConnectionMultiplexer> connecting)
    {
        var redis = connecting.Result;
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                _ = WarnIfEvictingAsync(redis);
            }
        };
        return WarnIfEvictingAsync(redis);
    }

    private async Task WarnIfEvictingAsync(ConnectionMultiplexer redis)
    {
        foreach (var endpoint in redis.GetEndPoints())
        {
            try
            {
                var server = redis.GetServer(endpoint);
                if (!server.IsConnected || server.IsReplica)
                {
                    continue;
                }

                var policy = (await server.InfoAsync("memory")).SelectMany(section => section)
                    .FirstOrDefault(pair => pair.Key == "maxmemory_policy").Value;
                if (policy is not null && policy != "noeviction")
                {
                    LogEvicting(RedisConfiguration.Describe(endpoint), policy);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // INFO not allowed (a managed Redis, an ACL), or Redis gone: nothing to say.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Endpoint} has maxmemory-policy {Policy}: under memory pressure it may evict kept Idempotency-Key answers and claims, and a retry is then processed again. Set maxmemory-policy noeviction")]
    private partial void LogEvicting(string endpoint, string policy);

    // Readiness says why until a claim, a keep, or this store's own probe (a claim on a key no client
    // can send, once a second) succeeds.
    private void Failed(IdempotencyStoreException e)
    {
        _failure = e.Message;
        if (Interlocked.Exchange(ref _probing, 1) == 0)
        {
            _ = ProbeUntilAnsweredAsync();
        }
    }

    private async Task ProbeUntilAnsweredAsync()
    {
        try
        {
            while (true)
            {
                if (_failure is null)
                {
                    Volatile.Write(ref _probing, 0);
                    if (_failure is null || Interlocked.Exchange(ref _probing, 1) == 1)
                    {
                        return;
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(1), _disposed.Token);
                try
                {
                    await RunAsync(ClaimScript, ProbeKey, "probe", 1);
                    _failure = null;
                }
                catch (IdempotencyStoreException e)
                {
                    _failure = e.Message;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    // Redis did not answer (a timeout, a connection lost with the command sent): it may run it later.
    // Not when Redis answered with an error, or when there was no connection to send it on.
    private static bool MayHaveReachedRedis(IdempotencyStoreException e) => e.InnerException is TimeoutException
        or RedisConnectionException { FailureType: not ConnectionFailureType.UnableToResolvePhysicalConnection };

    // The first release is sent at once: on the connection that carried the claim, Redis runs it after
    // the claim, however late. Those that fail are sent again every second until Redis answers one.
    private void ReleaseLater(IdempotentRequest request)
    {
        _releases[request] = Environment.TickCount64 + Milliseconds(ClaimLifetime);
        if (Interlocked.Exchange(ref _releasing, 1) == 0)
        {
            _ = ReleasePendingAsync();
        }
    }

    private async Task ReleasePendingAsync()
    {
        try
        {
            while (true)
            {
                await Task.WhenAll(_releases.Select(pending => ReleaseOnceAsync(pending.Key, pending.Value)));
                Volatile.Write(ref _releasing, 0);
                if (_releases.IsEmpty || Interlocked.Exchange(ref _releasing, 1) == 1)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), _disposed.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed: the claims left expire by themselves.
        }
    }

    private async Task ReleaseOnceAsync(IdempotentRequest request, long expires)
    {
        try
        {
            if (Environment.TickCount64 < expires)
            {
                await RunAsync(ReleaseScript, request.Key, ClaimValue(request));
            }

            _releases.TryRemove(KeyValuePair.Create(request, expires));
        }
        catch (IdempotencyStoreException)
        {
            // Still pending: tried again in a second.
        }
    }

    private async Task<RedisResult> RunAsync(string script, string key, params RedisValue[] values)
    {
        try
        {
            var redis = await _connecting;
            return await redis.GetDatabase().ScriptEvaluateAsync(script, [new RedisKey(Prefix + key)], values);
        }
        catch (RedisServerException e)
        {
            // OOM (full, noeviction), READONLY (a replica), NOPERM (the user's ACL), ...
            throw new IdempotencyStoreException($"Redis at {Endpoints} answered with an error: {e.Message}", e);
        }
        catch (TimeoutException e)
        {
            throw new IdempotencyStoreException($"Redis at {Endpoints} did not answer in time: {e.Message}", e);
        }
        catch (RedisException e)
        {
            throw new IdempotencyStoreException($"Redis at {Endpoints} cannot be reached: {e.Message}", e);
        }
    }

    private static string ClaimValue(IdempotentRequest request) => string.Join('\n', ClaimTag, request.Attempt.ToString("N"), request.Fingerprint.Value);

    private static long Milliseconds(TimeSpan span) => (long)span.TotalMilliseconds;

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        if (_connecting.IsCompletedSuccessfully)
        {
            _connecting.Result.Dispose();
        }
        else
        {
            _ = _connecting.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }
}
