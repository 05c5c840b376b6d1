using GameApi.Infrastructure;
using GameApi.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace GameApi.Tests.Infrastructure.Settings;

public class SettingsCheckTests
{
    private static IReadOnlyList<string> Problems(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = Path.GetTempPath(), ContentRootFileProvider = new NullFileProvider() })
            .AddInfrastructure()
            .BuildServiceProvider();
        return SettingsCheck.Problems(services);
    }

    [Test]
    public void Problems_Defaults_None() => Assert.That(Problems(), Is.Empty);

    [TestCase("Kafka:DeliveryTimeout", "10s", "between 00:00:00.100 and 00:05:00")]
    [TestCase("Kafka:ShutdownFlushTimeout", "500ms", "between 0 and 00:05:00")]
    [TestCase("Spool:KafkaWait", "1s", "between 00:00:00.010 and 00:00:30")]
    [TestCase("Idempotency:Retention", "24h", "between 00:01:00 and 365.00:00:00")]
    public void Problems_DurationNotReadable_SaysTheFormAndTheRange(string key, string value, string range) =>
        Assert.That(Problems((key, value)), Is.EqualTo(new[]
        {
            $"{key} must be a duration written [d.]hh:mm:ss[.fff] (10 seconds: 00:00:10, 500 ms: 00:00:00.500, 2 days: 2.00:00:00), {range} (got '{value}').",
        }));

    [TestCase("Kafka:Partitions", "99999999999", "between 1 and 10000")]
    [TestCase("Kafka:Partitions", "abc", "between 1 and 10000")]
    [TestCase("Spool:MaxBytes", "1GB", "at least 4096")]
    [TestCase("Idempotency:MaxKeys", "1e6", "at least 1")]
    public void Problems_NumberNotReadable_SaysTheFormAndTheRange(string key, string value, string range) =>
        Assert.That(Problems((key, value)), Is.EqualTo(new[] { $"{key} must be a whole number without a unit, {range} (got '{value}')." }));

    [Test]
    public void Problems_InEverySection_AllReportedOnePerProblem() =>
        Assert.That(Problems(("Kafka:Partitions", "0"), ("Kafka:Topic", ""), ("Kafka:DeliveryTimeout", "10s"), ("Spool:MaxBytes", "1"), ("Idempotency:MaxKeys", "0")), Is.EqualTo(new[]
        {
            "Kafka:DeliveryTimeout must be a duration written [d.]hh:mm:ss[.fff] (10 seconds: 00:00:10, 500 ms: 00:00:00.500, 2 days: 2.00:00:00), between 00:00:00.100 and 00:05:00 (got '10s').",
            "Kafka:Topic must be 1 to 249 characters of letters, digits, '.', '_' or '-', and not '.' or '..' (got '').",
            "Kafka:Partitions must be between 1 and 10000 (got 0).",
            "Spool:MaxBytes must be at least 4096 (got 1).",
            "Idempotency:MaxKeys must be at least 1 (got 0).",
        }));

    // The binder ignores them: Kafka:BootstrapServer silently started the in-memory broker.
    [TestCase("Kafka:BootstrapServer", "Kafka:BootstrapServers")]
    [TestCase("Kafka:Bootstrap.Servers", "Kafka:BootstrapServers")]
    [TestCase("Spool:MaxByte", "Spool:MaxBytes")]
    [TestCase("Idempotency:Retension", "Idempotency:Retention")]
    [TestCase("Kafka:topics", "Kafka:Topic")]
    [TestCase("Kafka:SaslPassword", null)]
    public void UnknownKeys_KeyNoSettingBinds_ReportedWithTheKeyMeant(string key, string? meant)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, "x"), new("Kafka:Partitions", "3"), new("kafka:topic", "t")]).Build();
        Assert.That(SettingsCheck.UnknownKeys(configuration), Is.EqualTo(new[] { (key, meant) }));
    }

    [Test]
    public void UnknownKeys_NestedUnderAnUnknownKey_ReportedOnce()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Kafka:Sasl:Username", "u"), new("Kafka:Sasl:Password", "p")]).Build();
        Assert.That(SettingsCheck.UnknownKeys(configuration), Is.EqualTo(new[] { ("Kafka:Sasl", (string?)null) }));
    }

    [Test]
    public void UnknownKeys_OutsideTheCheckedSections_NotReported()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            [new("Logging:LogLevel:Default", "Warning"), new("KAFKA_HEAP_OPTS", "-Xmx1G"), new("Kafka_", "x"), new("SpoolPath", "x")]).Build();
        Assert.That(SettingsCheck.UnknownKeys(configuration), Is.Empty);
    }

    // An environment variable with one underscore is a top-level key the options never see.
    [TestCase("Kafka_BootstrapServers", "Kafka__BootstrapServers")]
    [TestCase("KAFKA_BOOTSTRAP_SERVERS", "Kafka__BootstrapServers")]
    [TestCase("Spool_Path", "Spool__Path")]
    [TestCase("IDEMPOTENCY_REDIS", "Idempotency__Redis")]
    public void UnknownKeys_EnvironmentVariableWithOneUnderscore_ReportedWithTwo(string key, string meant)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, "x")]).Build();
        Assert.That(SettingsCheck.UnknownKeys(configuration), Is.EqualTo(new[] { (key, (string?)meant) }));
    }

    [Test]
    public void Problems_EmptyPartitions_Unset() => Assert.That(Problems(("Kafka:Partitions", "")), Is.Empty);
}
