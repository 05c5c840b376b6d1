using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using GameApi.Infrastructure.Embedded;
using GameApi.Tests.Support;

namespace GameApi.Tests.Infrastructure.Embedded;

public class EmbeddedKafkaBrokerTests
{
    [Test]
    public void Start_PortTaken_SaysSoAndNamesTheSetting()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var address = $"127.0.0.1:{((IPEndPoint)squatter.LocalEndpoint).Port}";

        var error = Assert.Throws<EmbeddedBrokerException>(() => EmbeddedKafkaBroker.Start(address).Dispose());

        Assert.That(error!.Message, Does.Contain(address).And.Contain("already in use").And.Contain("Kafka:EmbeddedAddress"));
    }

    [Test]
    public async Task Start_PortZero_ServesProduceAndConsumeAtTheAdvertisedAddress()
    {
        using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.CreateTopic("roundtrip", 2);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(new TopicPartition("roundtrip", 1), new Message<Null, string> { Value = "hello" });
        }

        Assert.That(broker.BootstrapServers, Does.StartWith("127.0.0.1:").And.Not.EndWith(":0"));
        Assert.That(TopicReader.ReadAll(broker.BootstrapServers, "roundtrip"), Is.EqualTo(new[] { "hello" }));
    }

    // The start log's "kcat -b ::1:PORT" failed: librdkafka reads an IPv6 address only in brackets.
    [Test]
    public void Start_IPv6_AdvertisesTheAddressInBrackets()
    {
        using var broker = EmbeddedKafkaBroker.Start("[::1]:0");
        broker.CreateTopic("roundtrip", 1);

        Assert.That(broker.BootstrapServers, Does.Match(@"^\[::1\]:[1-9][0-9]*$"));
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageTimeoutMs = 10_000 }).Build();
        Assert.DoesNotThrowAsync(() => producer.ProduceAsync("roundtrip", new Message<Null, string> { Value = "hello" }));
    }

    [Test]
    public void Dispose_Twice_IsHarmless()
    {
        var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
        broker.Dispose();

        Assert.DoesNotThrow(broker.Dispose);
    }
}
