using GameApi.Librdkafka;

namespace GameApi.Tests.Infrastructure.Kafka;

/// <summary>How ShippedLibrdkafka checks the package's file: by version.</summary>
public class ShippedLibrdkafkaChoiceTests
{
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
