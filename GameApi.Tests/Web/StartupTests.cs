using System.Diagnostics;

namespace GameApi.Tests.Web;

// The API is started as its own process here, as an operator would start it. WebApplicationFactory
// cannot show a failed start reliably: its deferred host races the app's own disposal of the failed
// host and sometimes reports ObjectDisposedException instead of the validation error.
public class StartupTests
{
    [TestCase("Kafka:Topic", "not a topic")]
    [TestCase("Kafka:Partitions", "0")]
    [TestCase("Kafka:DeliveryTimeout", "00:00:00")]
    public async Task Start_BadKafkaSetting_ExitsNamingTheKey(string key, string value)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "GameApi.Web.dll"), "--urls", "http://127.0.0.1:0", $"--{key}={value}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var spool = Directory.CreateTempSubdirectory("gameapi-startup-");
        start.Environment["Spool__Path"] = Path.Combine(spool.FullName, "spool.db");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The API was still running 30 s after starting with {key}={value}.");
        }

        spool.Delete(recursive: true);
        var printed = await output + await errors;
        Assert.That(process.ExitCode, Is.Not.Zero);
        Assert.That(printed, Does.Contain("OptionsValidationException").And.Contain($"{key} must"));
    }
}
