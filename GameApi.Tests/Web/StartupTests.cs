using GameApi.Tests.Support;
using Microsoft.Extensions.Options;

namespace GameApi.Tests.Web;

public class StartupTests
{
    [TestCase("Kafka:Topic", "not a topic")]
    [TestCase("Kafka:Partitions", "0")]
    [TestCase("Kafka:DeliveryTimeout", "00:00:00")]
    public void Start_BadKafkaSetting_FailsNamingTheKey(string key, string value)
    {
        using var factory = new GameApiFactory(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient().Dispose());

        Assert.That(error!.Message, Does.Contain(key));
    }
}
