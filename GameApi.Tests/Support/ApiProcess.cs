using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GameApi.Tests.Support;

/// <summary>
/// The API as its own process, from the build output next to the tests, as an operator starts it: its
/// own folder for the spool and the idempotency keys unless others are given, output captured, killed
/// when disposed.
/// </summary>
internal sealed class ApiProcess : IDisposable
{
    private readonly DirectoryInfo _spool;

    private ApiProcess(Process process, DirectoryInfo spool)
    {
        Process = process;
        _spool = spool;
        Output = process.StandardOutput.ReadToEndAsync();
        Errors = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    public Task<string> Output { get; }

    public Task<string> Errors { get; }

    /// <summary>The spool file this process uses.</summary>
    public string SpoolPath => Path.Combine(_spool.FullName, "spool.db");

    public static ApiProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set for the process only (say, LD_LIBRARY_PATH).</param>
    public static ApiProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "GameApi.Web.dll"), .. args])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The API's own settings come from the test, not from the developer's shell (a Kafka__BootstrapServers
        // there would send the test's events to that cluster).
        foreach (var inherited in start.Environment.Keys.Where(IsApiSetting).ToList())
        {
            start.Environment.Remove(inherited);
        }

        var spool = Directory.CreateTempSubdirectory("gameapi-process-");
        start.Environment["Spool__Path"] = Path.Combine(spool.FullName, "spool.db");
        start.Environment["Idempotency__Path"] = Path.Combine(spool.FullName, "keys.db");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ApiProcess(Process.Start(start)!, spool);
    }

    private static bool IsApiSetting(string name) =>
        new[] { "Kafka__", "Spool__", "Idempotency__", "Logging__", "ASPNETCORE_" }.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Waits until /health/live answers; fails the test if the process exits first.</summary>
    public async Task WaitLiveAsync(HttpClient client, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var live = await client.GetAsync("/health/live");
                if (live.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (Process.HasExited)
            {
                Assert.Fail($"The API exited at start: {await Errors}");
            }

            await Task.Delay(200);
        }

        Assert.Fail("The API did not answer /health/live within the limit.");
    }

    /// <summary>SIGTERM, as `docker stop` or systemd sends it.</summary>
    public void Terminate()
    {
        const int sigterm = 15;
        Assert.That(Kill(Process.Id, sigterm), Is.Zero, "kill(2) failed");
    }

    // .NET's Process.Kill sends SIGKILL; a graceful stop needs libc's kill(2).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
        _spool.Delete(recursive: true);
    }
}
