using System.Collections.Concurrent;
using GameApi.Infrastructure.Storage;

namespace GameApi.Tests.Infrastructure.Storage;

public class GroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task WriteAsync_WhileABatchIsBeingWritten_TheWaitingItemsGoInOneBatch()
    {
        var batches = new ConcurrentQueue<int[]>();
        using var firstStarted = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var commits = new GroupCommit<int>("test writer", batch =>
        {
            batches.Enqueue([.. batch]);
            firstStarted.Set();
            release.Wait(Patience); // the first batch is slow, like an fsync under load
        });

        var first = commits.WriteAsync(0);
        Assert.That(firstStarted.Wait(Patience), Is.True);
        var waiting = Enumerable.Range(1, 10).Select(commits.WriteAsync).ToList();
        release.Set();
        await Task.WhenAll(waiting.Append(first)).WaitAsync(Patience);

        Assert.That(batches.Select(b => b.Length), Is.EqualTo(new[] { 1, 10 }));
        Assert.That(batches.Last(), Is.EqualTo(Enumerable.Range(1, 10)));
    }

    [Test]
    public async Task WriteAsync_BatchWriterThrows_EveryCallerOfThatBatchFails_TheNextBatchIsWritten()
    {
        var calls = 0;
        using var commits = new GroupCommit<string>("test writer", _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new IOException("disk full");
            }
        });

        var failed = Assert.ThrowsAsync<IOException>(() => commits.WriteAsync("a").WaitAsync(Patience));
        await commits.WriteAsync("b").WaitAsync(Patience);

        Assert.That(failed!.Message, Is.EqualTo("disk full"));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task Dispose_WritesWhatIsWaiting_ThenRefusesNewItems()
    {
        var written = new ConcurrentQueue<int>();
        using var release = new ManualResetEventSlim();
        var commits = new GroupCommit<int>("test writer", batch =>
        {
            release.Wait(Patience);
            foreach (var item in batch)
            {
                written.Enqueue(item);
            }
        });
        var pending = Enumerable.Range(0, 5).Select(commits.WriteAsync).ToList();

        var disposing = Task.Run(commits.Dispose);
        release.Set();
        await disposing.WaitAsync(Patience);

        await Task.WhenAll(pending).WaitAsync(Patience);
        Assert.That(written, Is.EquivalentTo(Enumerable.Range(0, 5)));
        Assert.Throws<ObjectDisposedException>(() => commits.WriteAsync(5));
        commits.Dispose(); // twice is harmless
    }

    [Test]
    public async Task WriteAsync_BurstsWithPausesFromManyThreads_EveryItemWrittenOnce()
    {
        // The writer goes to sleep between bursts: a wake-up lost between its last look at the queue and
        // its wait would leave a caller waiting forever (the WaitAsync below would time out).
        var written = new ConcurrentBag<int>();
        using var commits = new GroupCommit<int>("test writer", batch =>
        {
            foreach (var item in batch)
            {
                written.Add(item);
            }
        });

        for (var burst = 0; burst < 50; burst++)
        {
            var first = burst * 40;
            await Task.WhenAll(Enumerable.Range(first, 40).Select(i => Task.Run(() => commits.WriteAsync(i)))).WaitAsync(Patience);
            await Task.Delay(burst % 5);
        }

        Assert.That(written.Order(), Is.EqualTo(Enumerable.Range(0, 2000)));
    }
}
