using GameApi.Analytics.Output;

namespace GameApi.Analytics.Cli;

/// <summary>The options every command takes.</summary>
public sealed record RunSettings(
    string BootstrapServers,
    string Topic,
    string? Input,
    OutputFormat Format,
    string? OutputPath,
    TimeSpan Timeout);

/// <summary>A usage error found after parsing (exit code 2).</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
