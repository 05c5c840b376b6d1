namespace GameApi.Analytics.Engine;

/// <summary>
/// A run's folder in the temp directory for its copy of the events (hundreds of MB for a large topic),
/// held for the run's life by an exclusive lock on its <c>.lock</c> file. The lock goes with the process
/// however it ends, so a later run can tell a folder whose run was killed (kill -9, the OOM killer),
/// which nothing else would ever remove, from one still in use, and remove it.
/// </summary>
internal sealed class ScratchFolder : IDisposable
{
    public const string Prefix = "gameapi-analytics-";
    private const string LockName = ".lock";

    private readonly FileStream _lock;

    private ScratchFolder(DirectoryInfo folder, FileStream held)
    {
        Folder = folder;
        _lock = held;
    }

    public DirectoryInfo Folder { get; }

    /// <summary>Removes the folders of runs that ended without removing theirs, then makes this run's.</summary>
    public static ScratchFolder Create()
    {
        RemoveAbandoned(Path.GetTempPath());
        var folder = Directory.CreateTempSubdirectory(Prefix);
        // Locked under another name, then renamed (the lock stays with the open file): a run sweeping at
        // this moment never sees a .lock file that is not yet locked.
        var pending = Path.Combine(folder.FullName, LockName + "-new");
        var held = Hold(pending, FileMode.CreateNew);
        File.Move(pending, Path.Combine(folder.FullName, LockName));
        return new ScratchFolder(folder, held);
    }

    /// <summary>Removes each folder under <paramref name="temp"/> whose .lock file no process holds.</summary>
    /// <remarks>
    /// A folder without a .lock file is left: a run creating its folder right now, or one from a version
    /// without the lock. With file locking turned off in .NET every lock would look free, so nothing is removed.
    /// </remarks>
    public static void RemoveAbandoned(string temp)
    {
        if (LockingDisabled() || !Directory.Exists(temp))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(temp, Prefix + "*"))
        {
            try
            {
                using var abandoned = Hold(Path.Combine(folder, LockName), FileMode.Open);
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Held by a running run, already removed by another, or not ours to remove.
            }
        }
    }

    // .NET takes an exclusive flock() for FileShare.None on Unix; the kernel releases it when the process ends.
    private static FileStream Hold(string path, FileMode mode) => new(path, mode, FileAccess.ReadWrite, FileShare.None);

    private static bool LockingDisabled() =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";

    /// <summary>Removes the folder; safe to call more than once, and from a signal handler as the process ends.</summary>
    public void Remove()
    {
        try
        {
            Folder.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or the process is ending: a leftover is removed by a later run once unlocked.
        }
    }

    public void Dispose()
    {
        Remove();
        _lock.Dispose();
    }
}
