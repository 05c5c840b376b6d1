using System.Threading.Channels;

namespace GameApi.Infrastructure.Storage;

/// <summary>
/// Writes items on one dedicated thread, as many per call of the batch writer as are waiting (up to
/// <c>maxBatch</c>): concurrent callers share one transaction, so the cost of its fsync is paid once
/// per batch, not once per request. Each caller's task completes when its batch is written, or fails
/// with the batch's error.
/// </summary>
internal sealed class GroupCommit<T> : IDisposable
{
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<IReadOnlyList<T>> _writeBatch;
    private readonly int _maxBatch;
    private readonly Task _writer;

    /// <param name="writeBatch">Writes the items durably (one transaction); throws when it cannot.</param>
    public GroupCommit(Action<IReadOnlyList<T>> writeBatch, int maxBatch = 512)
    {
        _writeBatch = writeBatch;
        _maxBatch = maxBatch;
        // Its own thread: the writer blocks in fsync, and under load a thread-pool writer would queue
        // behind the requests it is keeping waiting.
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Completes once the item is written.</summary>
    /// <exception cref="ObjectDisposedException">Closed: nothing more is written.</exception>
    public Task WriteAsync(T item)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite(new Pending(item, done)), this);
        return done.Task;
    }

    private void WriteLoop()
    {
        var batch = new List<Pending>(_maxBatch);
        var items = new List<T>(_maxBatch);
        while (_pending.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            items.Clear();
            while (batch.Count < _maxBatch && _pending.Reader.TryRead(out var pending))
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

    /// <summary>Writes what is waiting, then stops.</summary>
    public void Dispose()
    {
        _pending.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }

    private readonly record struct Pending(T Item, TaskCompletionSource Done);
}
