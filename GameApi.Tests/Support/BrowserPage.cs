using System.Diagnostics;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Support;

/// <summary>
/// Opens an HTML file in Debian's headless Chromium through Playwright (GameApi.Tests/Browser/open-page.mjs)
/// and returns what the script saw: each chart's state, console and page errors, dialogs, network requests.
/// Needs Node.js, npm and /usr/bin/chromium, which .ci/run installs; playwright-core is installed here
/// from the lock file on first use.
/// </summary>
internal static class BrowserPage
{
    private static readonly Lock Installing = new();

    public static JObject Open(string htmlPath, string? screenshot = null)
    {
        var folder = Folder();
        EnsureInstalled(folder);
        List<string> args = ["open-page.mjs", htmlPath];
        if (screenshot is not null)
        {
            args.AddRange(["--screenshot", screenshot]);
        }

        var (code, stdout, stderr) = Run("node", args, folder, TimeSpan.FromSeconds(90));
        Assert.That(code, Is.Zero, $"open-page.mjs failed:\n{stderr}");
        return JObject.Parse(stdout);
    }

    private static void EnsureInstalled(string folder)
    {
        lock (Installing)
        {
            if (File.Exists(Path.Combine(folder, "node_modules", "playwright-core", "package.json")))
            {
                return;
            }

            Assert.That(File.Exists("/usr/bin/chromium") || Environment.GetEnvironmentVariable("CHROMIUM") is not null, Is.True,
                "Debian's chromium is needed for the browser checks (apt-get install chromium; .ci/run does).");
            var (code, _, stderr) = Run("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.Zero, $"npm ci in {folder} failed:\n{stderr}");
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, IEnumerable<string> args, string folder, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not end within {timeout}.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "GameApi.Tests", "Browser");
            if (File.Exists(Path.Combine(folder, "open-page.mjs")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException("GameApi.Tests/Browser not found above " + AppContext.BaseDirectory);
    }
}
