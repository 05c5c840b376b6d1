using GameApi.Analytics.Spark;

namespace GameApi.Tests.Analytics.Spark;

public class SparkConnectionStringTests
{
    [Test]
    public void Parse_HostOnly_DefaultPortPlaintextNewSession()
    {
        var address = SparkConnectionString.Parse("sc://spark");

        Assert.That(address.Endpoint, Is.EqualTo(new Uri("http://spark:15002")));
        Assert.That(address.Token, Is.Null);
        Assert.That(address.SessionId, Is.Not.EqualTo(Guid.Empty));
        Assert.That(address.Headers, Is.Empty);
    }

    [Test]
    public void Parse_AllKnownKeys()
    {
        var address = SparkConnectionString.Parse("sc://spark.example:443/;token=abc;user_id=ana;user_agent=etl;session_id=6f1c2d1e-0000-4000-8000-000000000001;x-trace=1");

        Assert.That(address.Endpoint, Is.EqualTo(new Uri("https://spark.example:443")), "a token implies TLS");
        Assert.That(address.Token, Is.EqualTo("abc"));
        Assert.That(address.UserId, Is.EqualTo("ana"));
        Assert.That(address.UserAgent, Is.EqualTo("etl"));
        Assert.That(address.SessionId, Is.EqualTo(Guid.Parse("6f1c2d1e-0000-4000-8000-000000000001")));
        Assert.That(address.Headers, Is.EqualTo(new Dictionary<string, string> { ["x-trace"] = "1" }));
        Assert.That(address.ToString(), Does.Not.Contain("abc"), "no secrets in messages");
    }

    [Test]
    public void Parse_UseSsl_Https() =>
        Assert.That(SparkConnectionString.Parse("sc://h:15002/;use_ssl=true").Endpoint.Scheme, Is.EqualTo("https"));

    [TestCase("http://spark:15002", "must start with sc://")]
    [TestCase("sc://", "names no host")]
    [TestCase("sc://spark:port", "is not a port")]
    [TestCase("sc://spark:70000", "is not a port")]
    [TestCase("sc://spark/;session_id=abc", "must be a UUID")]
    [TestCase("sc://spark/;use_ssl=maybe", "true or false")]
    [TestCase("sc://spark/;novalue", "key=value")]
    public void Parse_Invalid_SaysWhy(string text, string why) =>
        Assert.That(() => SparkConnectionString.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains(why));
}
