using GameApi.Tests.Support;

namespace GameApi.Tests.Analytics;

/// <summary>
/// A host with another librdkafka on the loader's path (the stub, through LD_LIBRARY_PATH), as Debian's
/// librdkafka-dev makes it, and a topic to read there. The analytics must load the copy it ships: the
/// JIT's and the native build's tests share these.
/// </summary>
internal static class OtherLibrdkafkaOnPath
{
    /// <summary>Enough events that the answer to <see cref="ReadEverything"/> outgrows a pipe (see <see cref="AnalyticsProcess.RunReadingMaps"/>).</summary>
    public const int EventCount = 2000;

    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = StubLibrdkafka.Folder };

    /// <summary>The stub in the process's global scope, as LD_PRELOAD puts it (where Debian's 2.0.2 crashed the shipped copy).</summary>
    public static IReadOnlyDictionary<string, string> Preloaded => new Dictionary<string, string> { ["LD_PRELOAD"] = PreloadedFile };

    public static string PreloadedFile => Path.Combine(StubLibrdkafka.Folder, "librdkafka.so");

    /// <summary>The run refused at once: exit code 1 and one line naming the preloaded file and what to do.</summary>
    public static void AssertRefusesPreloaded(AnalyticsOutcome outcome)
    {
        Assert.That(outcome.ExitCode, Is.EqualTo(1), outcome.Stdout + outcome.Stderr);
        Assert.That(outcome.Stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), outcome.Stderr);
        Assert.That(outcome.Stderr, Does.StartWith($"error: Another librdkafka ({PreloadedFile}) is loaded into this process, probably through LD_PRELOAD;")
            .And.EndWith("start the program without it.\n"));
    }

    public static IEnumerable<string> EventIds => Enumerable.Range(0, EventCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void WriteEvents(string bootstrapServers, string topic) =>
        TopicWriter.Write(bootstrapServers, topic, EventIds.Select(id => $$"""{"event_type":"purchase_item","item":"sword","event_id":"{{id}}","User-Agent":"GameClient/1.0"}"""));

    public static string[] ReadEverything(string bootstrapServers, string topic) =>
        ["sql", "SELECT * FROM events", "--bootstrap-servers", bootstrapServers, "--topic", topic, "--format", "json"];

    /// <summary>The files of the stub a process had mapped: none, when it loaded only the shipped copy.</summary>
    public static IEnumerable<string> StubFiles(IReadOnlySet<string> mapped) =>
        mapped.Where(file => file.StartsWith(StubLibrdkafka.Folder + "/", StringComparison.Ordinal));

    /// <summary>Whether a process had a librdkafka from <paramref name="folder"/> mapped (the check that the maps were read while it was loaded).</summary>
    public static bool MapsLibrdkafkaFrom(IReadOnlySet<string> mapped, string folder) =>
        mapped.Any(file => Path.GetDirectoryName(file) == folder && file.EndsWith("librdkafka.so", StringComparison.Ordinal));
}
