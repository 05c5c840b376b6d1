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
