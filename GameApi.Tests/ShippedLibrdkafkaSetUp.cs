using GameApi.Librdkafka;

namespace GameApi.Tests;

/// <summary>
/// Binds Confluent.Kafka to the shipped librdkafka before any test builds a client, as the API and the
/// analytics do at start. In the root namespace: NUnit runs it once, before every test below it.
/// </summary>
[SetUpFixture]
public sealed class ShippedLibrdkafkaSetUp
{
    [OneTimeSetUp]
    public void Load() => ShippedLibrdkafka.Load();
}
