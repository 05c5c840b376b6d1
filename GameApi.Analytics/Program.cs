using System.Runtime.InteropServices;
using GameApi.Analytics.Cli;

namespace GameApi.Analytics;

internal static class Program
{
    private static int Main(string[] args)
    {
        // UTF-8 whatever the locale, as DuckDB's own shell writes: JSON must be (RFC 8259), and events are;
        // a Latin-1 locale would turn each character it lacks into '?'.
        Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using var interruption = new Interruption();
        Console.CancelKeyPress += (_, e) => e.Cancel = interruption.Request();
        // A kill or a closed terminal ends the run as the signal would (143, 129); what must not outlive it goes first.
        using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => interruption.End());
        using var hungUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => interruption.End());
        return AnalyticsCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, interruption);
    }
}
