using System.Diagnostics;
using GameApi.Infrastructure.Idempotency;
using GameApi.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace GameApi.Tests.Infrastructure.Idempotency;

/// <summary>The shared store against a real redis-server: two store instances stand for two API instances.</summary>
public class RedisIdempotencyStoreTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    private static readonly RequestFingerprint Sword = RequestFingerprint.Of("GET", "/purchase_item", "?item=sword");
    private static readonly RequestFingerprint Knife = RequestFingerprint.Of("GET", "/purchase_item", "?item=knife");
    private static readonly KeptAnswer Bought = new(200, "text/plain; charset=utf-8", "\nBought sword\n");
    private RedisServer _redis = null!;
    private RedisIdempotencyStore _one = null!;
    private RedisIdempotencyStore _two = null!;

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _redis = await RedisServer.StartAsync();
        _one = new RedisIdempotencyStore(_redis.ConnectionString, Retention, NullLogger<RedisIdempotencyStore>.Instance);
        _two = new RedisIdempotencyStore(_redis.ConnectionString, Retention, NullLogger<RedisIdempotencyStore>.Instance);
    }

    [OneTimeTearDown]
    public void StopRedis()
    {
        _one.Dispose();
        _two.Dispose();
        _redis.Dispose();
    }

    private static string NewKey() => Guid.NewGuid().ToString();

    [Test]
    public async Task Claim_KeptByAnotherInstance_ReplaysTheAnswer()
    {
        var key = NewKey();
        var first = IdempotentRequest.New(key, Sword);
        Assert.That((await _one.ClaimAsync(first)).Outcome, Is.EqualTo(ClaimOutcome.Claimed));
        await _one.KeepAsync(first, Bought);

        var claim = await _two.ClaimAsync(IdempotentRequest.New(key, Sword));

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.Replay));
        Assert.That(claim.Answer, Is.EqualTo(Bought));
    }

    [Test]
    public async Task Claim_KeptForAnotherRequest_OtherRequest()
    {
        var key = NewKey();
        var first = IdempotentRequest.New(key, Sword);
        await _one.ClaimAsync(first);
        await _one.KeepAsync(first, Bought);

        Assert.That((await _two.ClaimAsync(IdempotentRequest.New(key, Knife))).Outcome, Is.EqualTo(ClaimOutcome.OtherRequest));
    }

    [Test]
    public async Task Claim_InFlightOnAnotherInstance_InFlightForTheSameRequestOtherRequestElse()
    {
        var key = NewKey();
        await _one.ClaimAsync(IdempotentRequest.New(key, Sword));

        Assert.That((await _two.ClaimAsync(IdempotentRequest.New(key, Sword))).Outcome, Is.EqualTo(ClaimOutcome.InFlight));
        Assert.That((await _two.ClaimAsync(IdempotentRequest.New(key, Knife))).Outcome, Is.EqualTo(ClaimOutcome.OtherRequest));
    }

    [Test]
    public async Task Claim_ManyConcurrentOverTwoInstances_ExactlyOneClaimed()
    {
        var key = NewKey();

        var claims = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? _one : _two).ClaimAsync(IdempotentRequest.New(key, Sword))));

        Assert.That(claims.Count(c => c.Outcome == ClaimOutcome.Claimed), Is.EqualTo(1));
        Assert.That(claims.Count(c => c.Outcome == ClaimOutcome.InFlight), Is.EqualTo(49));
    }

    [Test]
    public async Task Release_ByTheClaimingAttempt_FreesTheKeyByAnotherNot()
    {
        var key = NewKey();
        var first = IdempotentRequest.New(key, Sword);
        await _one.ClaimAsync(first);

        await _two.ReleaseAsync(IdempotentRequest.New(key, Sword));
        Assert.That((await _two.ClaimAsync(IdempotentRequest.New(key, Sword))).Outcome, Is.EqualTo(ClaimOutcome.InFlight));

        await _one.ReleaseAsync(first);
        Assert.That((await _two.ClaimAsync(IdempotentRequest.New(key, Sword))).Outcome, Is.EqualTo(ClaimOutcome.Claimed));
    }

    [Test]
    public async Task Keep_ByAnAttemptThatLostItsClaim_Refused()
    {
        var key = NewKey();
        var first = IdempotentRequest.New(key, Sword);
        await _one.ClaimAsync(first);
        await _one.ReleaseAsync(first);
        var second = IdempotentRequest.New(key, Sword);
        await _two.ClaimAsync(second);

        Assert.ThrowsAsync<IdempotencyStoreException>(() => _one.KeepAsync(first, Bought));
        Assert.That((await _one.ClaimAsync(IdempotentRequest.New(key, Sword))).Outcome, Is.EqualTo(ClaimOutcome.InFlight), "the second attempt's claim stands");
    }

    [Test]
    public async Task Keep_ExpiresAfterTheRetentionClaimsSooner()
    {
        var key = NewKey();
        var request = IdempotentRequest.New(key, Sword);
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var database = redis.GetDatabase();

        await _one.ClaimAsync(request);
        var claimLifetime = await database.KeyTimeToLiveAsync(RedisIdempotencyStore.Prefix + key);
        await _one.KeepAsync(request, Bought);
        var answerLifetime = await database.KeyTimeToLiveAsync(RedisIdempotencyStore.Prefix + key);

        Assert.That(claimLifetime, Is.GreaterThan(TimeSpan.FromMinutes(1)).And.LessThanOrEqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(answerLifetime, Is.GreaterThan(Retention - TimeSpan.FromMinutes(1)).And.LessThanOrEqualTo(Retention));
    }

    [Test]
    public async Task Keep_BodyWithNewlinesAndOddCharacters_ReplayedExactly()
    {
        var key = "~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}";
        var answer = new KeptAnswer(400, "text/plain; charset=utf-8", "\nline one\nline two é ✓\n\n");
        var request = IdempotentRequest.New(key, Sword);
        await _one.ClaimAsync(request);
        await _one.KeepAsync(request, answer);

        Assert.That((await _two.ClaimAsync(IdempotentRequest.New(key, Sword))).Answer, Is.EqualTo(answer));
    }

    [Test]
    public async Task Keep_RedisFull_ClaimReleasedSoThatARetryIsProcessed()
    {
        using var full = await RedisServer.StartAsync();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"{full.ConnectionString},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        using var store = new RedisIdempotencyStore(full.ConnectionString, Retention, NullLogger<RedisIdempotencyStore>.Instance);
        var key = NewKey();
        var first = IdempotentRequest.New(key, Sword);
        await store.ClaimAsync(first);

        await server.ConfigSetAsync("maxmemory", "1");
        var notKept = Assert.ThrowsAsync<IdempotencyStoreException>(() => store.KeepAsync(first, Bought));
        await server.ConfigSetAsync("maxmemory", "0");
        var retry = await store.ClaimAsync(IdempotentRequest.New(key, Sword));

        Assert.That(notKept!.Message, Does.Contain("OOM"));
        Assert.That(retry.Outcome, Is.EqualTo(ClaimOutcome.Claimed), "processed, not 409 until the claim expires");
    }

    [Test]
    public async Task Claim_RedisFull_UnavailableSayingWhatRedisAnsweredUntilItTakesWritesAgain()
    {
        using var full = await RedisServer.StartAsync();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"{full.ConnectionString},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        using var store = new RedisIdempotencyStore(full.ConnectionString, Retention, NullLogger<RedisIdempotencyStore>.Instance);
        await store.ClaimAsync(IdempotentRequest.New(NewKey(), Sword));
        var before = store.Unavailable;

        await server.ConfigSetAsync("maxmemory", "1");
        var refused = Assert.ThrowsAsync<IdempotencyStoreException>(() => store.ClaimAsync(IdempotentRequest.New(NewKey(), Sword)));
        var whileFull = store.Unavailable;
        await server.ConfigSetAsync("maxmemory", "0");
        var watch = Stopwatch.StartNew();
        while (store.Unavailable is not null && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.That(before, Is.Null);
        Assert.That(refused!.Message, Does.StartWith($"Redis at {full.ConnectionString} answered with an error: OOM command not allowed"));
        Assert.That(whileFull, Is.EqualTo(refused.Message), "readiness says Degraded, and why");
        Assert.That(store.Unavailable, Is.Null, "ready again once Redis takes writes, with no request needed");
    }

    [TestCase("volatile-lru", true)]
    [TestCase("allkeys-lfu", true)]
    [TestCase("noeviction", false)]
    public async Task New_RedisMayEvictKeys_Warns(string policy, bool warns)
    {
        using var redis = await RedisServer.StartAsync();
        using (var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).ConfigSetAsync("maxmemory-policy", policy);
        }

        var logger = new FakeLogger<RedisIdempotencyStore>();
        using var store = new RedisIdempotencyStore(redis.ConnectionString, Retention, logger);
        await store.ClaimAsync(IdempotentRequest.New(NewKey(), Sword));
        var watch = Stopwatch.StartNew();
        while (logger.Collector.Count == 0 && watch.Elapsed < TimeSpan.FromSeconds(warns ? 10 : 1))
        {
            await Task.Delay(50);
        }

        var warnings = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message);
        Assert.That(warnings, warns
            ? Has.One.EqualTo($"Redis at {redis.ConnectionString} has maxmemory-policy {policy}: under memory pressure it may evict kept Idempotency-Key answers and claims, and a retry is then processed again. Set maxmemory-policy noeviction")
            : Is.Empty);
    }

    [Test]
    public void Claim_NothingListening_StoreErrorSoonAndUnavailable()
    {
        using var store = new RedisIdempotencyStore($"127.0.0.1:{Ports.Free()},connectTimeout=500", Retention, NullLogger<RedisIdempotencyStore>.Instance);
        var watch = Stopwatch.StartNew();

        Assert.ThrowsAsync<IdempotencyStoreException>(() => store.ClaimAsync(IdempotentRequest.New(NewKey(), Sword)));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "fails fast instead of queueing");
        Assert.That(store.Unavailable, Does.Contain("not connected"));
    }

    [Test]
    public void New_RedisUrl_RefusedWithoutThePassword()
    {
        var refused = Assert.Throws<ArgumentException>(() => new RedisIdempotencyStore("redis://:S3cr3t-pw@127.0.0.1:6401", Retention, NullLogger<RedisIdempotencyStore>.Instance).Dispose());

        Assert.That(refused!.Message, Does.Contain("not a URL").And.Not.Contain("S3cr3t"));
    }
}
