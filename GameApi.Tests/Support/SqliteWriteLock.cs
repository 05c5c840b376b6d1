using Microsoft.Data.Sqlite;

namespace GameApi.Tests.Support;

/// <summary>
/// Another process holding a SQLite file's write lock: every write of the API's stores then fails once
/// their busy timeout (5 s) has passed, as on a full disk; reads go on (WAL). Dispose to let go.
/// </summary>
internal static class SqliteWriteLock
{
    public static SqliteConnection Hold(string path)
    {
        var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        holder.Open();
        using var begin = holder.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE";
        begin.ExecuteNonQuery();
        return holder;
    }
}
