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
    [TestCase("X-Key")]
    [TestCase("Key")]
    [TestCase("Bearer")]
    [TestCase("X-JWT")]
    [TestCase("Pwd")]
    [TestCase("X-Pass")]
    [TestCase("X-Passwd")]
    [TestCase("X-OTP")]
    [TestCase("Idempotency-Key")]
    public void From_Credentials_Dropped(string name)
    {
        var metadata = ClientMetadata.From([Pair(name, "secret"), Pair("Host", "example")]);

        Assert.That(metadata.Entries, Is.EqualTo(new[] { new MetadataEntry("Host", "example") }));
    }

    // What the original's consumers read, and what a retry sends, stay.
    [TestCase("User-Agent")]
    [TestCase("Host")]
    [TestCase("Accept")]
    [TestCase("X-Forwarded-For")]
    [TestCase("Sec-Fetch-Mode")]
    public void From_OrdinaryHeaders_Kept(string name) =>
        Assert.That(ClientMetadata.From([Pair(name, "v")]).Entries, Is.EqualTo(new[] { new MetadataEntry(name, "v") }));

    [Test]
    public void From_NotSecretName_KeptThoughItsWordsMarkASecret() =>
        Assert.That(ClientMetadata.From([Pair("idempotency-key", "k-1"), Pair("X-Key", "s")], ["Idempotency-Key"]).Entries,
            Is.EqualTo(new[] { new MetadataEntry("idempotency-key", "k-1") }));

    // Credentials whatever the header's name: an authorization scheme and its token, a JSON Web Token.
    [TestCase("Bearer abc.def")]
    [TestCase("basic dXNlcjpwYXNz")]
    [TestCase("  Digest username=\"u\", response=\"6629fae4\"")]
    [TestCase("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request")]
    [TestCase("Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")]
    [TestCase("ctx eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl end")]
    public void From_ValueThatIsACredential_Dropped(string value) =>
        Assert.That(ClientMetadata.From([Pair("X-Forwarded-Client", value), Pair("Host", "example")]).Entries,
            Is.EqualTo(new[] { new MetadataEntry("Host", "example") }));

    // A URL's password and its credential query parameters are redacted; the rest of the value stays.
    [TestCase("https://player:pw@game.example/cb", "https://player:REDACTED@game.example/cb")]
    [TestCase("https://game.example/cb?access_token=t1&page=2", "https://game.example/cb?access_token=REDACTED&page=2")]
    [TestCase("/purchase_item?item=sword&api_key=k1", "/purchase_item?item=sword&api_key=REDACTED")]
    [TestCase("https://bucket.example/o?X-Amz-Credential=c&X-Amz-Signature=s&X-Amz-Expires=60",
        "https://bucket.example/o?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Expires=60")]
    [TestCase("lang=en; session=s1", "lang=en; session=REDACTED")]
    public void From_UrlCredentials_Redacted(string value, string written) =>
        Assert.That(ClientMetadata.From([Pair("Referer", value)]).Entries, Is.EqualTo(new[] { new MetadataEntry("Referer", written) }));

    // Values that only look a little like the above stay as they are.
    [TestCase("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")]
    [TestCase("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")]
    [TestCase("https://game.example/shop?page=2#top")]
    [TestCase("Bearer")]
    [TestCase("Basically fine")]
    [TestCase("mailto:player@game.example")]
    [TestCase("for=192.0.2.60;proto=http;by=203.0.113.43")]
    public void From_OrdinaryValues_Unchanged(string value) =>
        Assert.That(ClientMetadata.From([Pair("X-Value", value)]).Entries, Is.EqualTo(new[] { new MetadataEntry("X-Value", value) }));

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
