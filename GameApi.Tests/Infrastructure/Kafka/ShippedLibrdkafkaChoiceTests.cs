using System.Runtime.InteropServices;
using GameApi.Librdkafka;

namespace GameApi.Tests.Infrastructure.Kafka;

/// <summary>How ShippedLibrdkafka checks the package's file: by version, and who a function's address belongs to.</summary>
public class ShippedLibrdkafkaChoiceTests
{
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
