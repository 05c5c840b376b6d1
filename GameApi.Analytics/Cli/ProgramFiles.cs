using GameApi.Librdkafka;

namespace GameApi.Analytics.Cli;

/// <summary>
/// The native libraries the program ships (DuckDB's, librdkafka's): beside the executable after a publish,
/// under runtimes/ after a build. An executable copied alone (to /usr/local/bin, say) has none of them, and
/// DuckDB's first call fails with a DllNotFoundException: this turns that into one line.
/// </summary>
internal static class ProgramFiles
{
    /// <summary>
    /// One line for a native library of the program that did not load, found in <paramref name="exception"/>
    /// or its causes (DuckDB.NET's wraps it in a TypeInitializationException); null for any other failure.
    /// </summary>
    public static string? MissingLibrary(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException missing)
            {
                return Describe(missing);
            }
        }

        return null;
    }

    private static string Describe(DllNotFoundException exception)
    {
        // "Unable to load shared library 'duckdb' or one of its dependencies. ...\n<dlerror for each file tried>"
        var parts = exception.Message.Split('\'');
        var name = parts.Length >= 3 ? parts[1] : "a native library";
        var file = name.Contains(".so", StringComparison.Ordinal) || parts.Length < 3 ? name : $"lib{name}.so";
        var folders = ShippedLibrdkafka.Folders().ToList();
        if (!folders.Any(folder => File.Exists(Path.Combine(folder, file))))
        {
            return $"{file}, a part of this program, is missing: it is in none of {string.Join(" or ", folders)}; copy the whole publish folder, not the executable alone.";
        }

        // There, but it would not load (a dependency of its own missing, another architecture): dlerror says why.
        var reasons = exception.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1);
        return $"{file} could not be loaded: {string.Join("; ", reasons)}";
    }
}
