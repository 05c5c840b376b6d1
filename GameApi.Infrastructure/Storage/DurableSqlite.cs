using Microsoft.Data.Sqlite;

namespace GameApi.Infrastructure.Storage;

/// <summary>How the API's own SQLite files (the spool, the idempotency keys) are opened: durably.</summary>
internal static class DurableSqlite
{
    /// <summary>
    /// Opens the file for writing, creating its folder and the schema: WAL, and synchronous=FULL, so a
    /// commit is on disk when it returns.
    /// </summary>
    /// <exception cref="SqliteException">The file cannot be opened or the schema created.</exception>
    public static SqliteConnection Open(string path, string schema)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Only this process writes the file; another holding its lock (two instances sharing a file)
        // makes writes fail after 5 s instead of the provider's default 30.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 5 }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;" + schema;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the lock that makes this process the file's only user, held until the returned stream is
    /// disposed: a second API instance given the same file (two instances on one machine, one setting
    /// forgotten) would send the spool's events twice and count its backlog wrong. The lock is an flock
    /// on <c>FILE.lock</c>, which the kernel releases when the process ends, <c>kill -9</c> included;
    /// SQLite's own locks are taken only per transaction and let a second process in.
    /// </summary>
    /// <param name="setting">The setting that names the file, for the message (Spool:Path).</param>
    /// <exception cref="IOException">Another process holds it, or the lock file cannot be made.</exception>
    public static FileStream Claim(string path, string setting)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None is an flock(LOCK_EX | LOCK_NB) on Linux and macOS, a share lock on Windows.
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult == (OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsMacOS() ? 35 : 11))
        {
            // EWOULDBLOCK (ERROR_SHARING_VIOLATION on Windows): held by another process.
            throw new IOException($"another process uses it (probably another API instance: each needs its own {setting})", e);
        }
    }

    /// <summary>
    /// Writes the file's header (its user_version, which nothing else uses) and commits: a write as small
    /// as can be, to learn whether the file can be written again after a write failed (a full disk).
    /// </summary>
    /// <exception cref="SqliteException">It still cannot be written.</exception>
    public static void WriteProbe(SqliteConnection connection)
    {
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var next = (Convert.ToInt64(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) + 1) % int.MaxValue;
        version.CommandText = $"PRAGMA user_version = {next}";
        version.ExecuteNonQuery();
    }
}
