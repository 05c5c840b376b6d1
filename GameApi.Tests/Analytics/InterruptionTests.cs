using GameApi.Analytics.Cli;

namespace GameApi.Tests.Analytics;

/// <summary>Ctrl+C: a run that stops cleanly is asked to; otherwise the process ends at once, and what the run must not leave behind goes first.</summary>
public class InterruptionTests
{
    [Test]
    public void Request_RunCannotStopCleanly_EndingCallbacksRunBeforeItReturns()
    {
        using var interruption = new Interruption();
        var removed = false;
        using var removal = interruption.Ending.Register(() => removed = true);

        Assert.That(interruption.Request(), Is.False);
        Assert.That(removed, Is.True);
    }

    [Test]
    public void Request_RunStopsCleanly_AskedToStop_NotEnding()
    {
        using var interruption = new Interruption { StopsCleanly = true };

        Assert.That(interruption.Request(), Is.True);
        Assert.That(interruption.Token.IsCancellationRequested, Is.True);
        Assert.That(interruption.Ending.IsCancellationRequested, Is.False);
    }

    [Test]
    public void Request_SecondCtrlC_Ending()
    {
        using var interruption = new Interruption { StopsCleanly = true };
        interruption.Request();

        Assert.That(interruption.Request(), Is.False);
        Assert.That(interruption.Ending.IsCancellationRequested, Is.True);
    }

    // A pipe the test keeps open: the run is still copying it into its scratch folder when the signal
    // comes: Ctrl+C, a kill, a closed terminal. Each ends the run as the shell expects (128 + the signal).
    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    [TestCase("HUP", 129)]
    public void Signal_EmbeddedRunReading_ScratchFolderRemoved(string signal, int exitCode)
    {
        var temp = Directory.CreateDirectory(TestRunFolder.NewPath("tmp", "")).FullName; // the run's TMPDIR: no other run's folders
        AnalyticsOutcome outcome;
        using (var pipe = new OpenPipe())
        {
            outcome = pipe.ReportSignalledWhileCopying(temp, signal);
        }

        Assert.That(outcome.ExitCode, Is.EqualTo(exitCode), outcome.Stderr);
        Assert.That(OpenPipe.ScratchFolders(temp), Is.Empty);
    }
}
