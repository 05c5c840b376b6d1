using GameApi.Analytics.Engine;

namespace GameApi.Tests.Analytics;

/// <summary>A run killed outright (kill -9, the OOM killer) leaves its scratch folder: the next run removes it, and never a running run's.</summary>
public class ScratchFolderTests
{
    [Test]
    public void RemoveAbandoned_LockNoLongerHeld_Removed()
    {
        var temp = NewTemp();
        var abandoned = Directory.CreateDirectory(Path.Combine(temp, ScratchFolder.Prefix + "abandoned")).FullName;
        File.WriteAllText(Path.Combine(abandoned, ".lock"), "");
        File.WriteAllText(Path.Combine(abandoned, "events.jsonl"), """{"event_type":"default"}""");

        ScratchFolder.RemoveAbandoned(temp);

        Assert.That(Directory.Exists(abandoned), Is.False);
    }

    [Test]
    public void RemoveAbandoned_LockHeld_Kept()
    {
        var temp = NewTemp();
        var running = Directory.CreateDirectory(Path.Combine(temp, ScratchFolder.Prefix + "running")).FullName;
        // flock() locks belong to the open file, so one held here conflicts with the sweep's as another process's would.
        using var held = new FileStream(Path.Combine(running, ".lock"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        ScratchFolder.RemoveAbandoned(temp);

        Assert.That(Directory.Exists(running), Is.True);
    }

    [Test]
    public void RemoveAbandoned_NoLockFileOrOtherName_Kept()
    {
        var temp = NewTemp();
        var beingCreated = Directory.CreateDirectory(Path.Combine(temp, ScratchFolder.Prefix + "new")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(temp, "other-tool")).FullName;
        File.WriteAllText(Path.Combine(other, ".lock"), "");

        ScratchFolder.RemoveAbandoned(temp);

        Assert.That(Directory.Exists(beingCreated), Is.True);
        Assert.That(Directory.Exists(other), Is.True);
    }

    // Left empty by a run ended outright as it made or removed its folder (the lock file goes first).
    [Test]
    public void RemoveAbandoned_EmptyWithoutLockForOverAMinute_Removed_NotIfRecentOrHoldingFiles()
    {
        var temp = NewTemp();
        var empty = Directory.CreateDirectory(Path.Combine(temp, ScratchFolder.Prefix + "empty")).FullName;
        var holding = Directory.CreateDirectory(Path.Combine(temp, ScratchFolder.Prefix + "holding")).FullName;
        File.WriteAllText(Path.Combine(holding, "events.jsonl"), """{"event_type":"default"}""");
        var recent = Directory.CreateDirectory(Path.Combine(temp, ScratchFolder.Prefix + "recent")).FullName;
        foreach (var old in new[] { empty, holding })
        {
            Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddMinutes(-2));
        }

        ScratchFolder.RemoveAbandoned(temp);

        Assert.That(Directory.Exists(empty), Is.False);
        Assert.That(Directory.Exists(holding), Is.True, "without a lock file nothing tells whether its files are in use");
        Assert.That(Directory.Exists(recent), Is.True, "a run may be about to lock it");
    }

    [Test]
    public void Create_HeldUntilDisposed_ThenGone()
    {
        var scratch = ScratchFolder.Create();
        var folder = scratch.Folder.FullName;

        ScratchFolder.RemoveAbandoned(Path.GetDirectoryName(folder)!);
        Assert.That(Directory.Exists(folder), Is.True, "a live run's folder was removed");

        scratch.Dispose();
        Assert.That(Directory.Exists(folder), Is.False);
    }

    // Real processes: the first is killed with SIGKILL while it copies a pipe into its scratch folder,
    // which stays behind; the kernel releases its lock, so the next run in that temp folder removes it.
    [Test]
    public void Run_AfterARunKilledWithSigkill_ItsFolderRemoved()
    {
        var temp = NewTemp();
        AnalyticsOutcome first;
        using (var pipe = new OpenPipe())
        {
            first = pipe.ReportSignalledWhileCopying(temp, "KILL");
        }

        Assert.That(first.ExitCode, Is.EqualTo(137), first.Stderr);
        var left = OpenPipe.ScratchFolders(temp).ToList();
        Assert.That(left, Has.Count.EqualTo(1), "kill -9 should leave the folder behind");

        var events = TestRunFolder.NewPath("events", ".jsonl");
        File.WriteAllText(events, """{"event_type":"purchase_item","item":"sword"}""" + "\n");
        var next = AnalyticsProcess.Run(AnalyticsProcess.Jit, ["sql", "SELECT COUNT(*) AS n FROM events", "--input", events], TimeSpan.FromSeconds(30), new Dictionary<string, string> { ["TMPDIR"] = temp });

        Assert.That(next.ExitCode, Is.Zero, next.Stderr);
        Assert.That(Directory.Exists(left[0]), Is.False);
        Assert.That(OpenPipe.ScratchFolders(temp), Is.Empty, "the second run leaves nothing either");
    }

    private static string NewTemp() => Directory.CreateDirectory(TestRunFolder.NewPath("tmp", "")).FullName;
}
