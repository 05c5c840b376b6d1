namespace GameApi.Analytics.Events;

/// <summary>
/// Where a run's events are: a file, or a topic; and which of them the <c>events</c> table keeps. Notices
/// (skipped junk, an empty topic) go to <see cref="Notices"/>.
/// </summary>
public sealed record EventSource(
    string? InputFile,
    string BootstrapServers,
    string Topic,
    TimeSpan Timeout,
    TextWriter Notices,
    IReadProgress? Progress,
    TimeWindow Window);

/// <summary>How far the reading has come, for whoever shows it (the command line's progress line).</summary>
public interface IReadProgress : IDisposable
{
    /// <summary>Bytes read of a file of <paramref name="total"/> bytes.</summary>
    IProgress<long> Bytes(long total);

    /// <summary>Events read from a topic.</summary>
    IProgress<long> Events();
}
