using GameApi.Analytics.Events;
using GameApi.Analytics.Output;

namespace GameApi.Analytics.Cli;

/// <summary>The options every command takes. <see cref="CacheRoot"/>: where topics read here are cached; null with --no-cache.</summary>
public sealed record RunSettings(
    string BootstrapServers,
    string Topic,
    string? Input,
    OutputFormat Format,
    string? OutputPath,
    TimeSpan Timeout,
    EngineKind Engine,
    string SparkRemote,
    TimeWindow Window,
    string? CacheRoot = null);

public enum EngineKind
{
    Embedded,
    Spark,
}
