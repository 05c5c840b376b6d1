using GameApi.Infrastructure.Kafka;

namespace GameApi.Tests.Infrastructure.Kafka;

public class KafkaOptionsValidatorTests
{
    private static string? Failure(KafkaOptions options) => new KafkaOptionsValidator().Validate(null, options).FailureMessage;

    [Test]
    public void Validate_Defaults_Succeed() =>
        Assert.That(new KafkaOptionsValidator().Validate(null, new KafkaOptions()).Succeeded, Is.True);

    [TestCase("")]
    [TestCase("bad topic")]
    [TestCase("événements")]
    public void Validate_BadTopic_NamesTheKey(string topic) =>
        Assert.That(Failure(new KafkaOptions { Topic = topic }), Does.Contain("Kafka:Topic"));

    // Kafka refuses them; the embedded broker took them, and a real cluster would fail every produce.
    [TestCase(".")]
    [TestCase("..")]
    [TestCase("x", 250)]
    public void Validate_TopicKafkaRefuses_NamesTheKey(string topic, int repeat = 1) =>
        Assert.That(Failure(new KafkaOptions { Topic = string.Concat(Enumerable.Repeat(topic, repeat)) }), Does.StartWith("Kafka:Topic must be 1 to 249 characters"));

    [TestCase("a..b")]
    [TestCase("...")]
    [TestCase("_-.")]
    public void Validate_TopicOfDots_Succeeds(string topic) =>
        Assert.That(Failure(new KafkaOptions { Topic = topic }), Is.Null);

    [TestCase(",,,", "an empty entry")]
    [TestCase("foo:abc", "'foo:abc'")]
    [TestCase("broker1:9092,,broker2:9092", "an empty entry")]
    [TestCase("broker1", "'broker1'")]
    [TestCase("broker1:0", "'broker1:0'")]
    [TestCase("broker1:65536", "'broker1:65536'")]
    [TestCase("::1:9092", "'::1:9092'")]
    [TestCase("[broker]:9092", "'[broker]:9092'")]
    [TestCase("user:pass@broker:9092", "'user:pass@broker:9092'")]
    [TestCase("PLAINTEXT://broker:9092", "'PLAINTEXT://broker:9092'")]
    public void Validate_BootstrapServersNotHostPort_NamesTheKeyAndTheEntry(string servers, string entry) =>
        Assert.That(Failure(new KafkaOptions { BootstrapServers = servers }), Is.EqualTo(
            $"Kafka:BootstrapServers must be a comma-separated list of host:port, the port 1 to 65535 and an IPv6 address in brackets ([::1]:9092) (got {entry} in it)."));

    [TestCase("broker:9092")]
    [TestCase("broker1:9092, broker2:9093")]
    [TestCase("127.0.0.1:1,[::1]:65535")]
    [TestCase("kafka-0.kafka.svc.cluster.local:9092")]
    public void Validate_BootstrapServersHostPort_Succeeds(string servers) =>
        Assert.That(Failure(new KafkaOptions { BootstrapServers = servers }), Is.Null);

    [TestCase(0)]
    [TestCase(50)]
    [TestCase(600_000)]
    public void Validate_DeliveryTimeoutOutOfRange_NamesTheKey(int milliseconds) =>
        Assert.That(Failure(new KafkaOptions { DeliveryTimeout = TimeSpan.FromMilliseconds(milliseconds) }), Does.Contain("Kafka:DeliveryTimeout"));

    [TestCase(0)]
    [TestCase(50)]
    [TestCase(600_000)]
    public void Validate_StartTimeoutOutOfRange_NamesTheKey(int milliseconds) =>
        Assert.That(Failure(new KafkaOptions { StartTimeout = TimeSpan.FromMilliseconds(milliseconds) }), Does.Contain("Kafka:StartTimeout"));

    [TestCase(0)]
    [TestCase(-1)]
    public void Validate_NoPartitions_NamesTheKey(int partitions) =>
        Assert.That(Failure(new KafkaOptions { Partitions = partitions }), Does.Contain("Kafka:Partitions"));

    [TestCase("9092")]
    [TestCase("kafka.example:9092")]
    [TestCase("127.0.0.1:99999")]
    [TestCase("127.0.0.1:port")]
    public void Validate_BadEmbeddedAddress_NamesTheKey(string address) =>
        Assert.That(Failure(new KafkaOptions { EmbeddedAddress = address }), Does.Contain("Kafka:EmbeddedAddress"));

    [Test]
    public void Validate_BadEmbeddedAddressWithRealCluster_Ignored() =>
        Assert.That(Failure(new KafkaOptions { BootstrapServers = "broker:9092", EmbeddedAddress = "nonsense" }), Is.Null);
}
