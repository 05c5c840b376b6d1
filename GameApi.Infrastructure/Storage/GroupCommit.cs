using System.Collections.Concurrent;

namespace GameApi.Infrastructure.Storage;

/// <summary>
/// Writes items on one dedicated thread, as many per call of the batch writer as are waiting (up to
/// <c>maxBatch</c>): concurrent callers share one transaction, so the cost of its fsync is paid once
/// per batch, not once per request. Each caller's task completes when its batch is written, or fails
/// with the batch's error.
/// </summary>
internal sealed class GroupCommit<T> : IDisposable
{
    private readonly ConcurrentQueue<Pending> _pending = new();
    // Waited on without spinning (spin count 0): see WaitForItems.
    private readonly ManualResetEventSlim _arrived = new(false, spinCount: 0);
    // Orders closing against queueing: nothing is queued once closed, so the writer leaves nothing behind.
    private readonly Lock _gate = new();
    private readonly Action<IReadOnlyList<T>> _writeBatch;
    private readonly int _maxBatch;
    private readonly Thread _writer;
    private int _sleeping;
    private volatile bool _closed;

    /// <param name="name">The writer thread's name, as <c>top -H</c> and <c>perf</c> show it (15 characters on Linux).</param>
    /// <param name="writeBatch">Writes the items durably (one transaction); throws when it cannot.</param>
    public GroupCommit(string name, Action<IReadOnlyList<T>> writeBatch, int maxBatch = 512)
    {
        _writeBatch = writeBatch;
        _maxBatch = maxBatch;
        // Its own thread: the writer blocks in fsync, and under load a thread-pool writer would queue
        // behind the requests it is keeping waiting.
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = name };
        _writer.Start();
    }

    /// <summary>Completes once the item is written.</summary>
    /// <exception cref="ObjectDisposedException">Closed: nothing more is written.</exception>
    public Task WriteAsync(T item)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _pending.Enqueue(new Pending(item, done));
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _arrived.Set();
            }
        }

        return done.Task;
    }

    private void WriteLoop()
    {
        var batch = new List<Pending>(_maxBatch);
        var items = new List<T>(_maxBatch);
        while (WaitForItems())
        {
            batch.Clear();
            items.Clear();
            while (batch.Count < _maxBatch && _pending.TryDequeue(out var pending))
            {
                batch.Add(pending);
                items.Add(pending.Item);
            }

            try
            {
                _writeBatch(items);
                batch.ForEach(p => p.Done.SetResult());
            }
            catch (Exception e) // whatever the writer threw is each caller's error; the loop goes on
            {
                batch.ForEach(p => p.Done.SetException(e));
            }
        }
    }

    /// <summary>True once items are waiting; false when closed with none left.</summary>
    /// <remarks>
    /// Blocks without spinning. A spinning wait (Task.Wait, SemaphoreSlim) calls sched_yield, and with
    /// every core busy serving requests one yield gave the CPU away for milliseconds (strace: up to
    /// 2.6 ms) while a whole batch of requests waited for this thread.
    /// </remarks>
    private bool WaitForItems()
    {
        while (_pending.IsEmpty)
        {
            if (_closed)
            {
                return !_pending.IsEmpty;
            }

            _arrived.Reset();
            Interlocked.Exchange(ref _sleeping, 1); // a full fence: the check below sees any item queued before it
            if (_pending.IsEmpty && !_closed)
            {
                _arrived.Wait();
            }

            Volatile.Write(ref _sleeping, 0);
        }

        return true;
    }

    /// <summary>Writes what is waiting, then stops.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _closed = true;
                _arrived.Set();
            }
        }

        _writer.Join(); // a second call waits too: what was queued is written when either returns
        _arrived.Dispose();
    }

    private readonly record struct Pending(T Item, TaskCompletionSource Done);
}
