using GameApi.Infrastructure.Spool;
using GameApi.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GameApi.Tests.Infrastructure.Spool;

public class EventSpoolTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("gameapi-spool-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name = "events.db") => Path.Combine(_folder, name);

    [Test]
    public async Task AppendAsync_ConcurrentAppends_AllStoredInOneOrder()
    {
        using var spool = new EventSpool(PathOf(), 1 << 20);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => spool.AppendAsync($"{{\"n\":{i}}}")));

        var stored = await spool.ReadOldestAsync(1000);
        Assert.That(spool.Count, Is.EqualTo(200));
        Assert.That(stored.Select(e => e.Value), Is.EquivalentTo(Enumerable.Range(0, 200).Select(i => $"{{\"n\":{i}}}")));
        Assert.That(stored.Select(e => e.Sequence), Is.Ordered);
    }

    [Test]
    public async Task Reopen_KeepsWhatWasAppended()
    {
        using (var spool = new EventSpool(PathOf(), 1 << 20))
        {
            await spool.AppendAsync("a");
            await spool.AppendAsync("b");
        }

        using var reopened = new EventSpool(PathOf(), 1 << 20);

        Assert.That(reopened.Count, Is.EqualTo(2));
        Assert.That((await reopened.ReadOldestAsync(10)).Select(e => e.Value), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task SecondSpoolOnOneFile_RefusedNamingTheSetting_TheFirstKeepsIt()
    {
        using (var first = new EventSpool(PathOf(), 1 << 20))
        {
            await first.AppendAsync("a");

            using var second = new EventSpool(PathOf(), 1 << 20);

            Assert.That(second.Error, Does.StartWith($"The spool at {PathOf()} cannot be opened: another process uses it").And.Contain("Spool:Path"));
            Assert.ThrowsAsync<SpoolException>(() => second.AppendAsync("b"));
            await first.AppendAsync("c");
            Assert.That(first.Count, Is.EqualTo(2));
        }

        // Let go when the first is disposed (and by the kernel when its process ends).
        using var reopened = new EventSpool(PathOf(), 1 << 20);
        Assert.That(reopened.Error, Is.Null);
        Assert.That((await reopened.ReadOldestAsync(10)).Select(e => e.Value), Is.EqualTo(new[] { "a", "c" }));
    }

    [Test]
    public async Task RemoveAsync_RemovesExactlyTheGivenPrefix()
    {
        using var spool = new EventSpool(PathOf(), 1 << 20);
        foreach (var value in new[] { "a", "b", "c" })
        {
            await spool.AppendAsync(value);
        }

        await spool.RemoveAsync((await spool.ReadOldestAsync(2)).ToList());

        Assert.That(spool.Count, Is.EqualTo(1));
        Assert.That((await spool.ReadOldestAsync(10)).Select(e => e.Value), Is.EqualTo(new[] { "c" }));
    }

    [Test]
    public async Task AppendAsync_Full_RefusedAndHealthCheckUnhealthy()
    {
        using var spool = new EventSpool(PathOf(), 100);
        await spool.AppendAsync(new string('x', 90));

        Assert.ThrowsAsync<SpoolException>(() => spool.AppendAsync(new string('y', 20)));
        var health = await new SpoolHealthCheck(spool).CheckHealthAsync(new HealthCheckContext());
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy), "it refused an event: not ready, though 10 bytes are left");
        Assert.That(health.Description, Does.Contain("full"));

        await spool.RemoveAsync(await spool.ReadOldestAsync(1));
        Assert.That(spool.IsFull, Is.False, "room again once relayed");
    }

    // SQLite reports the file malformed: events acknowledged into it now would be lost with it.
    [Test]
    public async Task FileDamaged_NoMoreEventsTaken_NotReady()
    {
        using var spool = new EventSpool(Path.Combine(_folder, "events.db"), 1 << 30);
        var value = new string('x', 2000);
        // More than SQLite's page cache (2 MiB), so that reads go to the file.
        await Task.WhenAll(Enumerable.Range(0, 4000).Select(_ => spool.AppendAsync(value)));
        foreach (var file in new[] { spool.Path, spool.Path + "-wal" })
        {
            using var damage = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var garbage = new byte[4096 * 300];
            new Random(7).NextBytes(garbage);
            damage.Position = 4096 * 5;
            damage.Write(garbage);
        }

        Assert.That(async () =>
        {
            while (true)
            {
                await spool.RemoveAsync(await spool.ReadOldestAsync(500));
            }
        }, Throws.InstanceOf<SpoolException>());
        var health = await new SpoolHealthCheck(spool).CheckHealthAsync(new HealthCheckContext());

        Assert.That(spool.Damaged, Does.Contain("is damaged"));
        Assert.That(() => spool.AppendAsync("{}"), Throws.InstanceOf<SpoolException>().With.Message.Contains("is damaged"));
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(health.Description, Does.Contain("is damaged"));
    }

    [Test]
    public async Task HealthCheck_ReportsTheBacklog()
    {
        using var spool = new EventSpool(PathOf(), 1 << 20);
        await spool.AppendAsync("a");

        var health = await new SpoolHealthCheck(spool).CheckHealthAsync(new HealthCheckContext());

        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(health.Data["backlog"], Is.EqualTo(1L));
    }

    [Test]
    public async Task WriteFails_AppendRefusedAndNotReady_UntilAWriteSucceedsAgain()
    {
        using var spool = new EventSpool(PathOf(), 1 << 20);
        await spool.AppendAsync("a");
        var check = new SpoolHealthCheck(spool);

        using (SqliteWriteLock.Hold(PathOf()))
        {
            Assert.ThrowsAsync<SpoolException>(() => spool.AppendAsync("b"));
            Assert.That(spool.WriteError, Does.Contain("cannot be written"));
            Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy));
        }

        await spool.AppendAsync("c");

        Assert.That(spool.WriteError, Is.Null);
        Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That((await spool.ReadOldestAsync(10)).Select(e => e.Value), Is.EqualTo(new[] { "a", "c" }));
    }

    [Test]
    public async Task RemoveFails_EventsKept_NotReady_UntilARemovalSucceeds()
    {
        using var spool = new EventSpool(PathOf(), 1 << 20);
        await spool.AppendAsync("a");
        var oldest = await spool.ReadOldestAsync(10);
        var check = new SpoolHealthCheck(spool);

        using (SqliteWriteLock.Hold(PathOf()))
        {
            var error = Assert.ThrowsAsync<SpoolException>(() => spool.RemoveAsync(oldest));
            Assert.That(error!.Message, Does.Contain("cannot be written"));
            Assert.That(spool.Count, Is.EqualTo(1));
            Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy));
        }

        await spool.RemoveAsync(oldest);

        Assert.That(spool.Count, Is.Zero);
        Assert.That(spool.WriteError, Is.Null);
        Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Healthy));
    }

    // Kafka back and the spool empty, nothing else would write the file: the probe finds it writable again.
    [Test]
    public async Task WriteFailedWhileEmpty_ProbeClearsItOnceTheFileCanBeWritten()
    {
        using var spool = new EventSpool(PathOf(), 1 << 20);
        var check = new SpoolHealthCheck(spool);
        using (SqliteWriteLock.Hold(PathOf()))
        {
            Assert.ThrowsAsync<SpoolException>(() => spool.AppendAsync("refused"));
            await spool.ProbeAfterWriteErrorAsync();
            Assert.That(spool.WriteError, Does.Contain("cannot be written"), "still not writable");
        }

        Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy));
        await spool.ProbeAfterWriteErrorAsync();

        Assert.That(spool.WriteError, Is.Null);
        Assert.That(spool.Count, Is.Zero);
        Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Healthy));
    }

    [Test]
    public void Open_Unwritable_ReportsWhyAndRefusesAppends()
    {
        var file = PathOf("a-file");
        File.WriteAllText(file, "");

        using var spool = new EventSpool(Path.Combine(file, "events.db"), 1 << 20);

        Assert.That(spool.Error, Does.Contain("cannot be opened"));
        Assert.Throws<SpoolException>(() => spool.AppendAsync("a"));
    }
}
