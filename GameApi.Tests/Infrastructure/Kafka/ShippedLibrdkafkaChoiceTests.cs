using System.Runtime.InteropServices;
using GameApi.Librdkafka;

namespace GameApi.Tests.Infrastructure.Kafka;

/// <summary>
/// How ShippedLibrdkafka chooses and checks the package's file: by the process's C library (musl takes the
/// alpine build only, glibc never), by version, and who a function's address belongs to.
/// </summary>
public class ShippedLibrdkafkaChoiceTests
{
    [Test]
    public void FileNames_OnMusl_OnlyTheAlpineBuild() =>
        Assert.That(ShippedLibrdkafka.FileNames(musl: true), Is.EqualTo(new[] { "alpine-librdkafka.so" }));

    [Test]
    public void FileNames_OnGlibc_TheGlibcBuildsInConfluentsOrder_NeverTheAlpineOne() =>
        Assert.That(ShippedLibrdkafka.FileNames(musl: false), Is.EqualTo(new[] { "librdkafka.so", "centos8-librdkafka.so" }));

    [Test]
    public void RunsOnMusl_MuslsLoaderMapped_True() =>
        Assert.That(ShippedLibrdkafka.RunsOnMusl(["/usr/bin/dotnet", "/lib/ld-musl-x86_64.so.1", "/usr/lib/libstdc++.so.6.0.33"]), Is.True);

    [Test]
    public void RunsOnMusl_GlibcsLoaderMapped_False() =>
        Assert.That(ShippedLibrdkafka.RunsOnMusl(["/usr/bin/dotnet", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"]), Is.False);

    [Test]
    public void RunsOnMusl_ThisProcess_AsItsLibraries()
    {
        var maps = ProcessMaps.Read().Select(m => m.File).ToList();

        // The runtime's own identifier says musl (linux-musl-x64; alpine.3.20-x64 for Alpine's own .NET build).
        var rid = RuntimeInformation.RuntimeIdentifier;
        Assert.That(maps, Is.Not.Empty);
        Assert.That(ShippedLibrdkafka.RunsOnMusl(maps), Is.EqualTo(rid.Contains("musl", StringComparison.Ordinal) || rid.StartsWith("alpine", StringComparison.Ordinal)));
    }

    [Test]
    public void ProcessMaps_Parse_KeepsFilesWithTheirAddresses()
    {
        string[] lines =
        [
            "7f1c2a000000-7f1c2a021000 r-xp 00000000 08:01 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7ffd6b9e6000-7ffd6ba07000 rw-p 00000000 00:00 0                          [stack]",
            "55d0c3a00000-55d0c3a01000 rw-p 00000000 00:00 0 ",
            "",
        ];

        Assert.That(ProcessMaps.Parse(lines), Is.EqualTo(new[] { new MappedFile(0x7f1c2a000000, 0x7f1c2a021000, "/usr/lib/x86_64-linux-gnu/libc.so.6") }));
    }

    [Test]
    public void ProcessMaps_FileAt_AFunctionOfTheShippedCopy_NamesIt()
    {
        var shipped = ShippedLibrdkafka.Load();

        Assert.That(ProcessMaps.FileAt(NativeLibrary.GetExport(shipped.Handle, "rd_kafka_version")), Is.EqualTo(shipped.Path));
    }

    [Test]
    public void ExpectedVersion_IsTheVersionLoaded() =>
        Assert.That(ShippedLibrdkafka.ExpectedVersion, Is.EqualTo(ShippedLibrdkafka.Load().Version));

    [Test]
    public void CheckVersion_SameMajorMinorPatch_Accepted() =>
        Assert.DoesNotThrow(() => ShippedLibrdkafka.CheckVersion(Confluent.Kafka.Library.Version, ShippedLibrdkafka.ExpectedVersion, "/x/librdkafka.so"));

    [Test]
    public void CheckVersion_Another_RefusedNamingBothAndThePath()
    {
        var e = Assert.Throws<LibrdkafkaLoadException>(() => ShippedLibrdkafka.CheckVersion(0x020002ff, "2.0.2", "/x/librdkafka.so"));

        Assert.That(e!.Message, Is.EqualTo($"Found librdkafka 2.0.2 at /x/librdkafka.so, but this program was built with librdkafka {ShippedLibrdkafka.ExpectedVersion}: reinstall the published folder."));
    }
}
