namespace GameApi.Analytics.Events;

/// <summary>
/// A run's own folder (its scratch copy of the events, its links into the cache), held by an exclusive
/// lock on the folder's <c>.lock</c> file while the run lives. The kernel releases the lock however the
/// process ends (kill -9, the OOM killer), so another run can tell an abandoned folder from one in use,
/// whatever process-id namespace (container) either runs in.
/// </summary>
internal static class FolderLease
{
    private const string LockName = ".lock";

    /// <summary>Locks <paramref name="folder"/> for this run; the lock goes when the stream is disposed or the process ends.</summary>
    public static FileStream Hold(string folder)
    {
        // Locked under another name, then renamed (the lock stays with the open file): a run sweeping at
        // this moment never sees a .lock file that is not yet locked.
        var pending = Path.Combine(folder, LockName + "-new");
        var held = Open(pending, FileMode.CreateNew);
        File.Move(pending, Path.Combine(folder, LockName));
        return held;
    }

    /// <summary>True when the folder has a .lock file.</summary>
    public static bool IsLeased(string folder) => File.Exists(Path.Combine(folder, LockName));

    /// <summary>
    /// Removes <paramref name="folder"/> if it has a .lock file that no process holds, or is empty with no
    /// .lock file and older than a minute; otherwise leaves it.
    /// </summary>
    /// <remarks>With file locking turned off in .NET every lock would look free, so nothing is removed.</remarks>
    public static void RemoveIfAbandoned(string folder)
    {
        if (LockingDisabled())
        {
            return;
        }

        try
        {
            if (!IsLeased(folder))
            {
                // A run ended outright while its folder was being made or removed (the lock file first) left
                // it empty. One being made is empty for microseconds, not a minute; and an empty folder
                // holds nothing to lose (Delete refuses one that is not empty).
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > TimeSpan.FromMinutes(1) && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }

                return;
            }

            using var abandoned = Open(Path.Combine(folder, LockName), FileMode.Open);
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held by a running run, already removed, filled meanwhile, or not ours to remove.
        }
    }

    // .NET takes an exclusive flock() for FileShare.None on Unix; the kernel releases it when the process ends.
    private static FileStream Open(string path, FileMode mode) => new(path, mode, FileAccess.ReadWrite, FileShare.None);

    private static bool LockingDisabled() =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";
}
