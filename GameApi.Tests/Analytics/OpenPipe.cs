namespace GameApi.Tests.Analytics;

/// <summary>
/// A named pipe with one event written into it and its writing end kept open until disposed: a run
/// given it as --input is still copying it into its scratch folder when a test signals the run.
/// </summary>
internal sealed class OpenPipe : IDisposable
{
    private readonly ManualResetEventSlim _closing = new();
    private readonly Task _writing;

    public OpenPipe()
    {
        Path = TestRunFolder.NewPath("events", ".jsonl");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path]))
        {
            mkfifo.WaitForExit();
        }

        _writing = Task.Run(() =>
        {
            using var writer = new StreamWriter(Path);
            writer.WriteLine("""{"event_type":"default"}""");
            writer.Flush();
            _closing.Wait();
        });
    }

    public string Path { get; }

    /// <summary>Runs <c>report --input</c> on the pipe with <paramref name="temp"/> as TMPDIR and sends <paramref name="signal"/> once the copy has begun.</summary>
    public AnalyticsOutcome ReportSignalledWhileCopying(string temp, string signal) =>
        AnalyticsProcess.RunInterrupted(AnalyticsProcess.Jit, ["report", "--input", Path],
            () => CopyBegun(temp),
            TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["TMPDIR"] = temp }, signal);

    // Some of the pipe's lines are in the run's scratch folder (its lease file, renamed as it is created, aside).
    private static bool CopyBegun(string temp)
    {
        try
        {
            return ScratchFolders(temp).Any(folder => new DirectoryInfo(folder).EnumerateFiles()
                .Any(file => !file.Name.StartsWith(".lock", StringComparison.Ordinal) && file.Length > 0));
        }
        catch (IOException)
        {
            return false; // a file or the folder went while being looked at: look again
        }
    }

    public static IEnumerable<string> ScratchFolders(string temp) => Directory.EnumerateDirectories(temp, GameApi.Analytics.Engine.ScratchFolder.Prefix + "*");

    public void Dispose()
    {
        _closing.Set();
        Assert.That(_writing.Wait(TimeSpan.FromSeconds(10)), Is.True, "the pipe's writer did not finish");
        _closing.Dispose();
    }
}
