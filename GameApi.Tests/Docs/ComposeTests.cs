using System.Globalization;
using System.Text.RegularExpressions;
using GameApi.Infrastructure.Delivery;
using GameApi.Infrastructure.Kafka;
using GameApi.Infrastructure.Spool;
using GameApi.Web;

namespace GameApi.Tests.Docs;

/// <summary>compose/docker-compose.yml, read as text: there is no Docker to run it here.</summary>
public partial class ComposeTests
{
    // Without it Docker kills the API 10 s after SIGTERM, before its flush to Kafka (it takes up to 23.5 s by default).
    [Test]
    public void Api_StopGracePeriod_CoversTheShutdownBound()
    {
        var api = Service("api");
        var kafka = new KafkaOptions();
        var spool = new SpoolOptions();
        Assert.That(api, Does.Not.Contain("KafkaWait").And.Not.Contain("DeliveryTimeout").And.Not.Contain("ShutdownFlushTimeout"),
            "the bound below is for the default settings");
        var bound = DurableEventLogger.LongestWait(kafka, spool) + ShutdownTimeout.Margin + kafka.ShutdownFlushTimeout + TimeSpan.FromSeconds(1);

        var grace = GracePeriod().Match(api);

        Assert.That(grace.Success, Is.True, "the api service sets no stop_grace_period");
        Assert.That(TimeSpan.FromSeconds(int.Parse(grace.Groups[1].Value, CultureInfo.InvariantCulture)), Is.GreaterThanOrEqualTo(bound));
    }

    // The service's lines: from "  NAME:" to the next service (or top-level key).
    private static string Service(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "compose", "docker-compose.yml"));
        var start = Array.IndexOf(lines, $"  {name}:");
        Assert.That(start, Is.Not.Negative, $"no service {name}");
        var body = lines.Skip(start + 1).TakeWhile(l => l.Length == 0 || l.StartsWith("    ", StringComparison.Ordinal) || l.TrimStart().StartsWith('#'));
        return string.Join('\n', body.Where(l => !l.TrimStart().StartsWith('#')));
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "GameApi.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new DirectoryNotFoundException("GameApi.sln above the test folder");
    }

    [GeneratedRegex(@"^    stop_grace_period: (\d+)s$", RegexOptions.Multiline)]
    private static partial Regex GracePeriod();
}
