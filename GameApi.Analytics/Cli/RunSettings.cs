using GameApi.Analytics.Events;
using GameApi.Analytics.Output;

namespace GameApi.Analytics.Cli;

/// <summary>The options every command takes.</summary>
public sealed record RunSettings(
    string BootstrapServers,
    string Topic,
    string? Input,
    OutputFormat Format,
    string? OutputPath,
    TimeSpan Timeout,
    EngineKind Engine,
    string SparkRemote,
    TimeWindow Window);

public enum EngineKind
{
    Embedded,
    Spark,
}
