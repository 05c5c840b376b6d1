using GameApi.Domain.Events;

namespace GameApi.Tests.Domain.Events;

public class ClientMetadataTests
{
    private static KeyValuePair<string, IEnumerable<string?>> Pair(string name, params string?[] values) => new(name, values);

    [TestCase("Authorization")]
    [TestCase("authorization")]
    [TestCase("Proxy-Authorization")]
    [TestCase("COOKIE")]
    [TestCase("X-Api-Key")]
    [TestCase("apikey")]
    [TestCase("X-Auth-Token")]
    [TestCase("X-Access-Token")]
    [TestCase("X-Amz-Security-Token")]
    [TestCase("X-CSRF-Token")]
    [TestCase("X-Session-Id")]
    [TestCase("X-Client-Secret")]
    [TestCase("X-Password")]
    [TestCase("X-Hub-Signature-256")]
    public void From_Credentials_Dropped(string name)
    {
        var metadata = ClientMetadata.From([Pair(name, "secret"), Pair("Host", "example")]);

        Assert.That(metadata.Entries, Is.EqualTo(new[] { new MetadataEntry("Host", "example") }));
    }

    // What the original's consumers read, and what a retry sends, stay.
    [TestCase("User-Agent")]
    [TestCase("Host")]
    [TestCase("Accept")]
    [TestCase("Idempotency-Key")]
    [TestCase("X-Forwarded-For")]
    [TestCase("Sec-Fetch-Mode")]
    public void From_OrdinaryHeaders_Kept(string name) =>
        Assert.That(ClientMetadata.From([Pair(name, "v")]).Entries, Is.EqualTo(new[] { new MetadataEntry(name, "v") }));

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
