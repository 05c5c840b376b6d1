using GameApi.Domain.Events;

namespace GameApi.Tests.Domain.Events;

public class ClientMetadataTests
{
    private static KeyValuePair<string, IEnumerable<string?>> Pair(string name, params string?[] values) => new(name, values);

    [TestCase("Authorization")]
    [TestCase("authorization")]
    [TestCase("Proxy-Authorization")]
    [TestCase("COOKIE")]
    public void From_Credentials_Dropped(string name)
    {
        var metadata = ClientMetadata.From([Pair(name, "secret"), Pair("Host", "example")]);

        Assert.That(metadata.Entries, Is.EqualTo(new[] { new MetadataEntry("Host", "example") }));
    }

    [Test]
    public void From_RepeatedValues_JoinedWithCommaSpace()
    {
        var metadata = ClientMetadata.From([Pair("X-Tag", "a", "b"), Pair("x-tag", "c")]);

        Assert.That(metadata.Entries, Is.EqualTo(new[] { new MetadataEntry("X-Tag", "a, b, c") }));
    }

    [Test]
    public void From_KeepsOrderAndSpelling()
    {
        var metadata = ClientMetadata.From([Pair("User-Agent", "ua"), Pair("accept", "*/*")]);

        Assert.That(metadata.Entries.Select(e => e.Name), Is.EqualTo(new[] { "User-Agent", "accept" }));
    }
}
