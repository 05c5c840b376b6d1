namespace GameApi.Analytics.Events;

/// <summary>
/// Where a run's events are: a file, or a topic; and which of them the <c>events</c> table keeps. Notices
/// (skipped junk, an empty topic) go to <see cref="Notices"/>. A topic read by this process is kept
/// under <see cref="CacheRoot"/> (<see cref="TopicCache"/>); null reads the whole topic every time.
/// </summary>
public sealed record EventSource(
    string? InputFile,
    string BootstrapServers,
    string Topic,
    TimeSpan Timeout,
    TextWriter Notices,
    IReadProgress? Progress,
    TimeWindow Window,
    string? CacheRoot = null);

/// <summary>How far the reading has come, for whoever shows it (the command line's progress line).</summary>
public interface IReadProgress : IDisposable
{
    /// <summary>Bytes read of a file of <paramref name="total"/> bytes.</summary>
    IProgress<long> Bytes(long total);

    /// <summary>Events read from a topic.</summary>
    IProgress<long> Events();
}
