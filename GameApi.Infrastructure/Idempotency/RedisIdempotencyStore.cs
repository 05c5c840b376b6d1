using System.Globalization;
using StackExchange.Redis;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Keys in Redis, shared by every instance: a retry that reaches another instance is replayed there.
/// A claim is one atomic script (read the key, or set it with an expiry when free); the answer then
/// replaces the claim, and only the attempt that claimed the key can keep or release it. How durable
/// a kept answer is across a Redis restart is Redis's persistence setting (appendonly, appendfsync).
/// </summary>
public sealed class RedisIdempotencyStore : IIdempotencyStore, IDisposable
{
    /// <summary>Prefix of every key this store writes in Redis.</summary>
    public const string Prefix = "gameapi:idempotency:";

    // A claim outlives any request (Spool:KafkaWait plus one spool write is at most seconds), so it
    // expires only when the instance holding it died mid-request; a retry after that is processed.
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

    private const string ClaimTag = "claim";
    private const string AnswerTag = "answer";

    private readonly Task<ConnectionMultiplexer> _connecting;
    private readonly TimeSpan _retention;

    /// <exception cref="ArgumentException">Not a configuration string that can be used (<see cref="RedisConfiguration.Problem"/>).</exception>
    public RedisIdempotencyStore(string connectionString, TimeSpan retention)
    {
        var options = RedisConfiguration.Parse(connectionString);
        Endpoints = RedisConfiguration.Describe(options);
        // Start without Redis and keep reconnecting; meanwhile a request with a key fails at once (503)
        // instead of queueing behind a connection that may not come. The API does not wait for the
        // first connection: requests with a key do, at most the connection string's connectTimeout.
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        _connecting = ConnectionMultiplexer.ConnectAsync(options);
        _retention = retention;
    }

    /// <summary>Where Redis is: its servers as configured, nothing else (no password).</summary>
    public string Endpoints { get; }

    public string? Unavailable => _connecting.IsCompletedSuccessfully && _connecting.Result.IsConnected ? null : $"Redis at {Endpoints} is not connected.";

    public async Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var held = await RunAsync(ClaimScript, request.Key, ClaimValue(request), Milliseconds(ClaimLifetime));
        if (held.IsNull)
        {
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
        var kept = await RunAsync(KeepScript, request.Key, ClaimValue(request), value, Milliseconds(_retention));
        if ((int)kept == 0)
        {
            throw new IdempotencyStoreException($"The claim on idempotency key {request.Key} expired before its answer was kept.");
        }
    }

    public async Task ReleaseAsync(IdempotentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RunAsync(ReleaseScript, request.Key, ClaimValue(request));
    }

    private async Task<RedisResult> RunAsync(string script, string key, params RedisValue[] values)
    {
        try
        {
            var redis = await _connecting;
            return await redis.GetDatabase().ScriptEvaluateAsync(script, [new RedisKey(Prefix + key)], values);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new IdempotencyStoreException($"Redis at {Endpoints} did not answer: {e.Message}", e);
        }
    }

    private static string ClaimValue(IdempotentRequest request) => string.Join('\n', ClaimTag, request.Attempt.ToString("N"), request.Fingerprint.Value);

    private static long Milliseconds(TimeSpan span) => (long)span.TotalMilliseconds;

    public void Dispose()
    {
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
