using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace GameApi.Librdkafka;

/// <summary>
/// Loads the librdkafka that ships with this application (the librdkafka.redist package's copy), by its
/// full path, checks that it is the version the program was built with and that no other copy takes over
/// its calls, and binds every Confluent.Kafka call to it.
/// </summary>
/// <remarks>
/// Confluent.Kafka binds librdkafka by name. Where another <c>librdkafka.so</c> is on the loader's path
/// (Debian's librdkafka-dev installs 2.0.2; <c>LD_LIBRARY_PATH</c> does the same), a load by name can
/// find that copy: producing then works on a library years older, and consuming fails with
/// <c>EntryPointNotFoundException</c> (librdkafka#2720, confluent-kafka-dotnet#783). Loading by path and
/// resolving Confluent.Kafka's imports to that handle (src/Confluent.Kafka/Impl/LibRdKafka.cs binds
/// them through <c>DllImport("librdkafka")</c>) leaves no room for another copy on the path.
/// </remarks>
public static class ShippedLibrdkafka
{
    // The package's Linux builds, chosen by the C library the process runs on, as Confluent.Kafka chooses
    // (LibRdKafka.cs, LoadLinuxDelegates). On glibc, in its order: the plain build needs libsasl2.so.3
    // (absent on Debian); the centos8 build has no dependency beyond glibc. On musl only the alpine build:
    // a glibc build may well load there (Alpine's gcompat) and then fail in ways no message explains.
    private static readonly string[] GlibcFileNames = ["librdkafka.so", "centos8-librdkafka.so"];
    private static readonly string[] MuslFileNames = ["alpine-librdkafka.so"];

    private static readonly Lock Gate = new();
    private static LoadedLibrdkafka? _loaded;

    /// <summary>The librdkafka.redist version this program was built with, written in by the build (GameApi.Librdkafka.csproj).</summary>
    public static string ExpectedVersion { get; } =
        typeof(ShippedLibrdkafka).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "LibrdkafkaRedistVersion")?.Value
        ?? throw new InvalidOperationException("GameApi.Librdkafka was built without the LibrdkafkaRedistVersion metadata.");

    /// <summary>
    /// Loads the shipped library once per process; later calls return the same. Call it before any
    /// Confluent.Kafka object is built.
    /// </summary>
    /// <exception cref="LibrdkafkaLoadException">
    /// No shipped copy loads on this machine, the one found is not the version the program was built with, or
    /// another librdkafka in the process would take over its calls.
    /// </exception>
    public static LoadedLibrdkafka Load()
    {
        lock (Gate)
        {
            return _loaded ??= LoadOnce();
        }
    }

    /// <summary>The folders a build or publish puts the package's native files in (the analytics' DuckDB library's too).</summary>
    public static IEnumerable<string> Folders()
    {
        var baseDirectory = AppContext.BaseDirectory;
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        // dotnet build and framework-dependent runs keep the package layout; a RID-specific publish
        // (the analytics' native build, the container image) puts the files beside the program.
        yield return System.IO.Path.Combine(baseDirectory, "runtimes", $"linux-{architecture}", "native");
        yield return baseDirectory;
    }

    /// <summary>The package's files to try, in order, for a process on musl or on glibc.</summary>
    internal static IReadOnlyList<string> FileNames(bool musl) => musl ? MuslFileNames : GlibcFileNames;

    /// <summary>Whether this process runs on musl: its dynamic loader (which is its C library) is musl's.</summary>
    internal static bool RunsOnMusl(IEnumerable<string> mappedFiles) =>
        mappedFiles.Any(file => System.IO.Path.GetFileName(file).StartsWith("ld-musl-", StringComparison.Ordinal));

    private static LoadedLibrdkafka LoadOnce()
    {
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere Confluent.Kafka's own search finds the package's copy beside the program.
            Library.Load();
            CheckVersion(Library.Version, Library.VersionString, "(found by Confluent.Kafka)");
            return new LoadedLibrdkafka(IntPtr.Zero, "(found by Confluent.Kafka)", Library.VersionString);
        }

        var names = FileNames(RunsOnMusl(ProcessMaps.Read().Select(m => m.File)));
        var failures = new List<string>();
        foreach (var path in Folders().SelectMany(folder => names.Select(name => System.IO.Path.Combine(folder, name))))
        {
            if (!File.Exists(path))
            {
                continue;
            }

            IntPtr handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                // The message carries dlerror's reason, such as a missing dependency.
                failures.Add(e.Message);
                continue;
            }

            // Both checks before Confluent.Kafka is bound: a refused copy must not be half in use.
            RefuseForeignCopy(handle, path);
            var (number, text) = NativeVersion(handle, path);
            CheckVersion(number, text, path);

            // Every import of Confluent.Kafka ("librdkafka" and its per-distribution variants) resolves
            // to this handle, whatever else the loader's path holds.
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, (name, _, _) =>
                name.Contains("rdkafka", StringComparison.Ordinal) ? handle : IntPtr.Zero);
            // Without a path: Library.Load(path) dlopens through "libdl", which glibc 2.34+ systems such
            // as Debian 12 have only as libdl.so.2. The resolver above already names the file.
            Library.Load();
            return new LoadedLibrdkafka(handle, path, Library.VersionString);
        }

        throw new LibrdkafkaLoadException(failures.Count == 0
            ? $"The librdkafka shipped with this program is missing: none of {string.Join(", ", names)} is in {string.Join(" or ", Folders())}; copy the whole publish folder."
            : $"The librdkafka shipped with this program could not be loaded: {string.Join("; ", failures)}");
    }

    /// <summary>
    /// Refuses when another librdkafka is in the process's global scope, which is where the symbols of a
    /// library loaded before the shipped copy (LD_PRELOAD, or RTLD_GLOBAL) are.
    /// </summary>
    /// <remarks>
    /// Loading by path chooses which file is mapped, not how its calls to its own functions bind: the
    /// package's builds are not linked with -Bsymbolic, so those calls go through the PLT and bind in the
    /// global scope first. A preloaded librdkafka 2.0.2 then runs inside the shipped 2.16.0, with 2.16's
    /// structures: an assertion in rd_kafka_conf_finalize aborts the API, the analytics' consumer segfaults.
    /// The other way out, dlopen with RTLD_DEEPBIND (the shipped copy binds to itself and its own
    /// dependencies first), is not taken: it binds the library's malloc and free to libc's even when a
    /// preloaded allocator (jemalloc, tcmalloc) replaces them for the rest of the process, so memory
    /// crossing between the two is freed by the wrong allocator; it is glibc-only (musl has no
    /// RTLD_DEEPBIND), and needs a dlopen of our own, beside the runtime's. A preloaded librdkafka is a
    /// mistake of the environment: saying so at once, in one line, is simple and safe.
    /// </remarks>
    private static void RefuseForeignCopy(IntPtr handle, string path)
    {
        // dlsym on the main program's handle searches the global scope: the program, what it was linked
        // with, LD_PRELOAD and libraries opened RTLD_GLOBAL. NativeLibrary.Load opens RTLD_LOCAL, so the
        // shipped copy is found there only if it is also in that scope, as the same file (same address).
        if (!NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "rd_kafka_version", out var global)
            || (NativeLibrary.TryGetExport(handle, "rd_kafka_version", out var own) && global == own))
        {
            return;
        }

        var other = ProcessMaps.FileAt(global) ?? "a file this process cannot name";
        var how = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LD_PRELOAD"))
            ? "probably through a library loaded before it"
            : "probably through LD_PRELOAD";
        throw new LibrdkafkaLoadException(
            $"Another librdkafka ({other}) is loaded into this process, {how}; it takes over the calls of the copy this program ships ({path}): start the program without it.");
    }

    private static unsafe (int Number, string Text) NativeVersion(IntPtr handle, string path)
    {
        if (!NativeLibrary.TryGetExport(handle, "rd_kafka_version", out var number)
            || !NativeLibrary.TryGetExport(handle, "rd_kafka_version_str", out var text))
        {
            throw new LibrdkafkaLoadException($"{path} is not a librdkafka (it has no rd_kafka_version): reinstall the published folder.");
        }

        return (((delegate* unmanaged<int>)number)(), Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)text)()) ?? "");
    }

    /// <summary>Refuses a librdkafka whose major, minor and patch version differ from the package's the program was built with.</summary>
    /// <param name="number">rd_kafka_version(): 0xMMmmrrpp (major, minor, revision, pre-release).</param>
    internal static void CheckVersion(int number, string text, string path)
    {
        var expected = Version.Parse(ExpectedVersion.Split('-', '+')[0]);
        var found = (Major: (number >> 24) & 0xff, Minor: (number >> 16) & 0xff, Patch: (number >> 8) & 0xff);
        if (found != (expected.Major, expected.Minor, Math.Max(expected.Build, 0)))
        {
            throw new LibrdkafkaLoadException(string.Create(CultureInfo.InvariantCulture,
                $"Found librdkafka {text} at {path}, but this program was built with librdkafka {ExpectedVersion}: reinstall the published folder."));
        }
    }
}

/// <summary>The loaded library: its native handle, the file and the version it reports.</summary>
public sealed record LoadedLibrdkafka(IntPtr Handle, string Path, string Version);

/// <summary>The shipped librdkafka could not be loaded; the message names the files and why.</summary>
public sealed class LibrdkafkaLoadException : Exception
{
    public LibrdkafkaLoadException()
    {
    }

    public LibrdkafkaLoadException(string message)
        : base(message)
    {
    }

    public LibrdkafkaLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
