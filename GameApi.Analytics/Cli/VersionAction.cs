using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using GameApi.Analytics.Engine;
using GameApi.Librdkafka;

namespace GameApi.Analytics.Cli;

/// <summary>
/// <c>--version</c>: this program's version, then the native libraries it runs on. librdkafka's line names
/// the file: another copy on the loader's path is what goes wrong on a host, and this shows which one a
/// Kafka read would use.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var stdout = parseResult.InvocationConfiguration.Output;
        var program = typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        stdout.WriteLine($"gameapi-analytics {program}");
        LoadedLibrdkafka librdkafka;
        try
        {
            librdkafka = ShippedLibrdkafka.Load();
        }
        catch (LibrdkafkaLoadException e)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return AnalyticsCli.SourceUnavailable;
        }

        stdout.WriteLine($"librdkafka {librdkafka.Version} ({librdkafka.Path})");
        string duckDb;
        try
        {
            duckDb = DuckDbEngine.Version();
        }
        catch (Exception e) when (ProgramFiles.MissingLibrary(e) is { } missing)
        {
            parseResult.InvocationConfiguration.Error.WriteLine($"error: {missing}");
            return AnalyticsCli.SourceUnavailable;
        }

        stdout.WriteLine($"DuckDB {duckDb}");
        return AnalyticsCli.Ok;
    }
}
