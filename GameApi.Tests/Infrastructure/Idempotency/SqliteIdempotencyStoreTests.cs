using GameApi.Infrastructure.Idempotency;
using GameApi.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Infrastructure.Idempotency;

public class SqliteIdempotencyStoreTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    private static readonly RequestFingerprint Sword = RequestFingerprint.Of("GET", "/purchase_item", "?item=sword");
    private static readonly RequestFingerprint Knife = RequestFingerprint.Of("GET", "/purchase_item", "?item=knife");
    private static readonly KeptAnswer Bought = new(200, "text/plain; charset=utf-8", "\nBought sword\n");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<SqliteIdempotencyStore> _logger = new();
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("gameapi-keys-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private SqliteIdempotencyStore Open(long maxKeys = 1000, string? path = null) =>
        new(path ?? Path.Combine(_folder, "keys.db"), Retention, maxKeys, _time, _logger);

    private static async Task KeepAsync(SqliteIdempotencyStore store, string key, RequestFingerprint fingerprint, KeptAnswer answer)
    {
        var request = IdempotentRequest.New(key, fingerprint);
        Assert.That((await store.ClaimAsync(request)).Outcome, Is.EqualTo(ClaimOutcome.Claimed), key);
        await store.KeepAsync(request, answer);
    }

    [Test]
    public async Task Claim_NewKey_Claimed()
    {
        using var store = Open();

        var claim = await store.ClaimAsync(IdempotentRequest.New("k", Sword));

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.Claimed));
    }

    [Test]
    public async Task Claim_AfterKeep_ReplaysTheAnswer()
    {
        using var store = Open();
        await KeepAsync(store, "k", Sword, Bought);

        var claim = await store.ClaimAsync(IdempotentRequest.New("k", Sword));

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.Replay));
        Assert.That(claim.Answer, Is.EqualTo(Bought));
    }

    [Test]
    public async Task Claim_KeptKeyOtherRequest_OtherRequest()
    {
        using var store = Open();
        await KeepAsync(store, "k", Sword, Bought);

        var claim = await store.ClaimAsync(IdempotentRequest.New("k", Knife));

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.OtherRequest));
    }

    [Test]
    public async Task Claim_WhileFirstInFlight_InFlightForTheSameRequestOtherRequestElse()
    {
        using var store = Open();
        var first = IdempotentRequest.New("k", Sword);
        await store.ClaimAsync(first);

        var same = await store.ClaimAsync(IdempotentRequest.New("k", Sword));
        var other = await store.ClaimAsync(IdempotentRequest.New("k", Knife));

        Assert.That(same.Outcome, Is.EqualTo(ClaimOutcome.InFlight));
        Assert.That(other.Outcome, Is.EqualTo(ClaimOutcome.OtherRequest));
    }

    [Test]
    public async Task Claim_AfterRelease_ClaimedAgain()
    {
        using var store = Open();
        var first = IdempotentRequest.New("k", Sword);
        await store.ClaimAsync(first);

        await store.ReleaseAsync(first);

        Assert.That((await store.ClaimAsync(IdempotentRequest.New("k", Sword))).Outcome, Is.EqualTo(ClaimOutcome.Claimed));
    }

    [Test]
    public async Task Release_ByAnotherAttempt_LeavesTheClaim()
    {
        using var store = Open();
        await store.ClaimAsync(IdempotentRequest.New("k", Sword));

        await store.ReleaseAsync(IdempotentRequest.New("k", Sword));

        Assert.That((await store.ClaimAsync(IdempotentRequest.New("k", Sword))).Outcome, Is.EqualTo(ClaimOutcome.InFlight));
    }

    [Test]
    public async Task Claim_ManyConcurrentForOneKey_ExactlyOneClaimed()
    {
        using var store = Open();

        var claims = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => store.ClaimAsync(IdempotentRequest.New("k", Sword)))));

        Assert.That(claims.Count(c => c.Outcome == ClaimOutcome.Claimed), Is.EqualTo(1));
        Assert.That(claims.Count(c => c.Outcome == ClaimOutcome.InFlight), Is.EqualTo(49));
    }

    // Retries of an answered request, all at once (a client's retry storm, or several clients sharing a
    // key): each gets the answer. Looking it up must not hold the key, or the others see it in flight.
    [Test]
    public async Task Claim_ManyConcurrentAfterKeep_AllReplayed()
    {
        using var store = Open();
        await KeepAsync(store, "k", Sword, Bought);
        using var start = new Barrier(4);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 200).Select(_ => store.ClaimAsync(IdempotentRequest.New("k", Sword)).Result.Outcome).ToList();
        })));

        Assert.That(claims.SelectMany(c => c), Has.All.EqualTo(ClaimOutcome.Replay));
    }

    [Test]
    public async Task Reopen_KeptAnswerStillReplayed()
    {
        using (var store = Open())
        {
            await KeepAsync(store, "k", Sword, Bought);
        }

        using var reopened = Open();
        var claim = await reopened.ClaimAsync(IdempotentRequest.New("k", Sword));

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.Replay));
        Assert.That(claim.Answer, Is.EqualTo(Bought));
        Assert.That(reopened.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Claim_JustWithinRetention_Replays()
    {
        using var store = Open();
        await KeepAsync(store, "k", Sword, Bought);

        _time.Advance(Retention);

        Assert.That((await store.ClaimAsync(IdempotentRequest.New("k", Sword))).Outcome, Is.EqualTo(ClaimOutcome.Replay));
    }

    [Test]
    public async Task Claim_PastRetention_ClaimedAndTheNewAnswerKept()
    {
        using var store = Open();
        await KeepAsync(store, "k", Sword, Bought);
        _time.Advance(Retention + TimeSpan.FromMilliseconds(1));

        var request = IdempotentRequest.New("k", Knife);
        var claim = await store.ClaimAsync(request);
        await store.KeepAsync(request, Bought with { Body = "\nBought knife\n" });

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.Claimed));
        Assert.That((await store.ClaimAsync(IdempotentRequest.New("k", Knife))).Answer!.Body, Is.EqualTo("\nBought knife\n"));
        Assert.That(store.Count, Is.EqualTo(1), "the expired row was replaced");
    }

    [Test]
    public async Task Keep_AfterRetentionOfOlderKeys_SweepsThem()
    {
        using var store = Open();
        await KeepAsync(store, "old-1", Sword, Bought);
        await KeepAsync(store, "old-2", Sword, Bought);
        _time.Advance(Retention + TimeSpan.FromMinutes(1));

        await KeepAsync(store, "new", Sword, Bought);

        Assert.That(store.Count, Is.EqualTo(1));
        Assert.That(_logger.Collector.GetSnapshot(), Is.Empty, "expiry is not eviction");
    }

    [Test]
    public async Task Keep_PastMaxKeys_EvictsTheOldestAndSaysSo()
    {
        using var store = Open(maxKeys: 3);
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await KeepAsync(store, key, Sword, Bought);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(store.Count, Is.EqualTo(3));
        Assert.That((await store.ClaimAsync(IdempotentRequest.New("a", Sword))).Outcome, Is.EqualTo(ClaimOutcome.Claimed), "the oldest was evicted");
        foreach (var key in new[] { "b", "c", "d" })
        {
            Assert.That((await store.ClaimAsync(IdempotentRequest.New(key, Sword))).Outcome, Is.EqualTo(ClaimOutcome.Replay), key);
        }

        Assert.That(_logger.LatestRecord.Message, Does.Contain("Evicted 1 idempotency keys").And.Contain("Idempotency:MaxKeys (3)"));
    }

    [Test]
    public async Task Keep_PastMaxKeysWithExpiredKeys_EvictsOnlyTheExpired()
    {
        using var store = Open(maxKeys: 3);
        await KeepAsync(store, "a", Sword, Bought);
        await KeepAsync(store, "b", Sword, Bought);
        _time.Advance(Retention - TimeSpan.FromSeconds(30)); // no sweep is due: expiry happens between sweeps
        await KeepAsync(store, "c", Sword, Bought);
        _time.Advance(TimeSpan.FromMinutes(1)); // a and b are past retention, c is not

        await KeepAsync(store, "d", Sword, Bought);
        await KeepAsync(store, "e", Sword, Bought);

        Assert.That(store.Count, Is.EqualTo(3));
        foreach (var key in new[] { "c", "d", "e" })
        {
            Assert.That((await store.ClaimAsync(IdempotentRequest.New(key, Sword))).Outcome, Is.EqualTo(ClaimOutcome.Replay), key);
        }

        Assert.That(_logger.Collector.GetSnapshot(), Is.Empty, "no key within its retention was evicted");
    }

    [Test]
    public async Task SecondStoreOnOneFile_RefusedNamingTheSetting_TheFirstKeepsIt()
    {
        using (var first = Open())
        {
            await KeepAsync(first, "k", Sword, Bought);

            using var second = Open();

            Assert.That(second.Unavailable, Does.StartWith($"The idempotency keys at {first.Path} cannot be opened: another process uses it").And.Contain("Idempotency:Path"));
            Assert.ThrowsAsync<IdempotencyStoreException>(() => second.ClaimAsync(IdempotentRequest.New("k", Sword)));
            Assert.That((await first.ClaimAsync(IdempotentRequest.New("k", Sword))).Outcome, Is.EqualTo(ClaimOutcome.Replay));
        }

        using var reopened = Open();
        Assert.That(reopened.Unavailable, Is.Null);
        Assert.That((await reopened.ClaimAsync(IdempotentRequest.New("k", Sword))).Outcome, Is.EqualTo(ClaimOutcome.Replay));
    }

    [Test]
    public async Task Claim_FileCannotBeOpened_StoreErrorAndUnavailable()
    {
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "");
        using var store = Open(path: Path.Combine(blocker, "keys.db"));

        Assert.That(store.Unavailable, Does.Contain("cannot be opened"));
        var failure = Assert.ThrowsAsync<IdempotencyStoreException>(() => store.ClaimAsync(IdempotentRequest.New("k", Sword)));
        Assert.That(failure.Message, Does.Contain(blocker));
    }

    // The file cannot be written any more (a full disk; here another process's write lock, held past the
    // 5 s busy timeout). The answer being sent is not kept; then keyed requests get 503 (nothing recorded)
    // rather than answers no retry could find, until a probe write succeeds.
    [Test]
    public async Task WriteFails_KeyedRequestsRefused_UntilAProbeWriteSucceeds()
    {
        using var store = Open();
        var check = new IdempotencyHealthCheck(store);
        var first = IdempotentRequest.New("first", Sword);
        Assert.That((await store.ClaimAsync(first)).Outcome, Is.EqualTo(ClaimOutcome.Claimed));

        using (SqliteWriteLock.Hold(store.Path))
        {
            Assert.ThrowsAsync<IdempotencyStoreException>(() => store.KeepAsync(first, Bought));
            Assert.That(store.Unavailable, Does.Contain("cannot be written"));
            Assert.That((await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext())).Status,
                Is.EqualTo(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded));
            Assert.ThrowsAsync<IdempotencyStoreException>(() => store.ClaimAsync(IdempotentRequest.New("probing", Sword)), "the probe fails too");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.ThrowsAsync<IdempotencyStoreException>(() => store.ClaimAsync(IdempotentRequest.New("meanwhile", Sword)));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "refused without a probe of its own (each waits out the 5 s busy timeout)");
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1)); // one probe a second
        var claim = await store.ClaimAsync(IdempotentRequest.New("after", Sword));

        Assert.That(claim.Outcome, Is.EqualTo(ClaimOutcome.Claimed));
        Assert.That(store.Unavailable, Is.Null);
        Assert.That((await store.ClaimAsync(IdempotentRequest.New("first", Sword))).Outcome, Is.EqualTo(ClaimOutcome.Claimed), "its answer was not kept: a retry is processed");
    }

    [Test]
    public void ActionId_SameKeyAndRequest_SameVersion8Id()
    {
        var first = IdempotentRequest.New("k", Sword).ActionId;

        Assert.That(IdempotentRequest.New("k", Sword).ActionId, Is.EqualTo(first));
        Assert.That(IdempotentRequest.New("k", Knife).ActionId, Is.Not.EqualTo(first));
        Assert.That(IdempotentRequest.New("K", Sword).ActionId, Is.Not.EqualTo(first));
        Assert.That(first.Version, Is.EqualTo(8));
        Assert.That(first.Variant, Is.InRange(8, 11), "RFC 9562 variant: bits 10xx");
    }
}
