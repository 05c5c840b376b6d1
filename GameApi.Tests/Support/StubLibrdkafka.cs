using System.Diagnostics;

namespace GameApi.Tests.Support;

/// <summary>
/// A folder with a fake, older librdkafka built by gcc, under every name a loader could look for
/// (librdkafka.so, librdkafka.so.1): what a host with Debian's librdkafka-dev, or LD_LIBRARY_PATH
/// pointing elsewhere, looks like to this program. It reports version 2.0.2 and exports nothing else,
/// so a process bound to it cannot produce or consume.
/// </summary>
internal static class StubLibrdkafka
{
    private const string Source = """
        const char *rd_kafka_version_str(void) { return "2.0.2-stub"; }
        int rd_kafka_version(void) { return 0x020002ff; }
        """;

    private static readonly Lazy<string> Built = new(Build);

    /// <summary>The folder holding the stub, built once per test run.</summary>
    public static string Folder => Built.Value;

    /// <summary>The files a running process has mapped, from /proc/PID/maps.</summary>
    public static IReadOnlySet<string> MappedFiles(int processId) =>
        File.ReadLines($"/proc/{processId}/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
            .Select(fields => fields[5].Trim())
            .ToHashSet();

    private static string Build()
    {
        var folder = Directory.CreateDirectory(TestRunFolder.NewPath("stub-librdkafka", "")).FullName;
        var source = Path.Combine(folder, "stub.c");
        File.WriteAllText(source, Source);
        var library = Path.Combine(folder, "librdkafka.so");
        using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-shared", "-fPIC", "-Wl,-soname,librdkafka.so.1", "-o", library, source])
        {
            RedirectStandardError = true,
        })!;
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc could not build the stub librdkafka: {errors}");
        }

        File.Copy(library, Path.Combine(folder, "librdkafka.so.1"));
        return folder;
    }
}
