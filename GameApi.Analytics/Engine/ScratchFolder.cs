using GameApi.Analytics.Events;

namespace GameApi.Analytics.Engine;

/// <summary>
/// A run's folder in the temp directory for its copy of the events (hundreds of MB for a large topic),
/// held for the run's life (<see cref="FolderLease"/>), so that a later run removes it if the process was
/// killed outright (kill -9, the OOM killer), which nothing else would ever do.
/// </summary>
internal sealed class ScratchFolder : IDisposable
{
    public const string Prefix = "gameapi-analytics-";

    private readonly FileStream _lease;

    private ScratchFolder(DirectoryInfo folder, FileStream lease)
    {
        Folder = folder;
        _lease = lease;
    }

    public DirectoryInfo Folder { get; }

    /// <summary>Removes the folders of runs that ended without removing theirs, then makes this run's.</summary>
    public static ScratchFolder Create()
    {
        RemoveAbandoned(Path.GetTempPath());
        var folder = Directory.CreateTempSubdirectory(Prefix);
        return new ScratchFolder(folder, FolderLease.Hold(folder.FullName));
    }

    /// <summary>Removes each of our folders under <paramref name="temp"/> whose lease no process holds.</summary>
    public static void RemoveAbandoned(string temp)
    {
        if (Directory.Exists(temp))
        {
            foreach (var folder in Directory.EnumerateDirectories(temp, Prefix + "*"))
            {
                FolderLease.RemoveIfAbandoned(folder);
            }
        }
    }

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
        _lease.Dispose();
    }
}
