using GameApi.Analytics.Cli;

namespace GameApi.Analytics.Engine;

/// <summary>Where a run's events are: a file, or a topic. Notices (skipped junk, an empty topic) go to <see cref="Notices"/>.</summary>
public sealed record EventSource(
    string? InputFile,
    string BootstrapServers,
    string Topic,
    TimeSpan Timeout,
    TextWriter Notices,
    ProgressLine? Progress);
