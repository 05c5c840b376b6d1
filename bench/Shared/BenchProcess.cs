using System.Diagnostics;

/// <summary>What a timed run of a program printed, and how long it took, process start included.</summary>
internal sealed record TimedRun(double Seconds, string Stdout, string Stderr)
{
    /// <summary>Runs the program to its end; a non-zero exit throws with what it wrote to stderr.</summary>
    public static TimedRun Of(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)}{start.Arguments} failed: {errors.Result}");
        }

        return new TimedRun(clock.Elapsed.TotalSeconds, output.Result, errors.Result);
    }
}
