using System.Diagnostics;
using GameApi.Tests.Support;

namespace GameApi.Tests.Analytics;

/// <summary>What a run of the analytics as a process printed, and the files it had mapped while it answered.</summary>
internal sealed record MappedOutcome(AnalyticsOutcome Outcome, IReadOnlySet<string> MappedFiles);

/// <summary>Runs the analytics as a child process, as users start it, and keeps what it printed.</summary>
internal static class AnalyticsProcess
{
    /// <summary>The build beside the tests, under the JIT: <c>dotnet gameapi-analytics.dll</c>.</summary>
    public static IReadOnlyList<string> Jit { get; } = ["dotnet", Path.Combine(AppContext.BaseDirectory, "gameapi-analytics.dll")];

    /// <summary>Runs <paramref name="program"/> (the executable, then arguments that select it) with <paramref name="args"/>.</summary>
    public static AnalyticsOutcome Run(IReadOnlyList<string> program, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(program, args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        WaitForExit(process, timeout);
        return new AnalyticsOutcome(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Runs it and reads /proc/PID/maps when the first characters of its answer arrive: its events are
    /// read by then, and an answer larger than a pipe holds (64 KiB) keeps it from exiting until the
    /// rest is read, so the maps are those of the running process, every time.
    /// </summary>
    public static MappedOutcome RunReadingMaps(IReadOnlyList<string> program, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(program, args, environment);
        var stderr = process.StandardError.ReadToEndAsync();
        var first = new char[1];
        var started = process.StandardOutput.ReadAsync(first, 0, 1);
        if (!started.Wait(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', program)} wrote no answer within {timeout}.");
        }

        Assert.That(process.HasExited, Is.False, "the process exited before its maps were read: the answer fit in the pipe");
        var mapped = StubLibrdkafka.MappedFiles(process.Id);
        var rest = process.StandardOutput.ReadToEndAsync();
        WaitForExit(process, timeout);
        return new MappedOutcome(new AnalyticsOutcome(process.ExitCode, new string(first, 0, started.Result) + rest.Result, stderr.Result), mapped);
    }

    /// <summary>Runs it, and once <paramref name="ready"/> holds sends it SIGINT, as Ctrl+C in a terminal does.</summary>
    /// <param name="signal">kill's name for the signal: INT is Ctrl+C, TERM a kill, HUP a closed terminal.</param>
    public static AnalyticsOutcome RunInterrupted(IReadOnlyList<string> program, IEnumerable<string> args, Func<bool> ready, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, string signal = "INT")
    {
        using var process = Start(program, args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!ready() && !process.HasExited && clock.Elapsed < timeout)
        {
            Thread.Sleep(20);
        }

        Assert.That(process.HasExited, Is.False, "it ended before it could be interrupted");
        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        WaitForExit(process, timeout);
        return new AnalyticsOutcome(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static Process Start(IReadOnlyList<string> program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program[0], [.. program.Skip(1), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };

        // The test host runs under MSBuild's environment; a nested `dotnet publish` must not inherit it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static void WaitForExit(Process process, TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish within {timeout}.");
        }
    }
}
