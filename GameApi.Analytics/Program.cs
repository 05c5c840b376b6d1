using GameApi.Analytics.Cli;

namespace GameApi.Analytics;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var interruption = new Interruption();
        Console.CancelKeyPress += (_, e) => e.Cancel = interruption.Request();
        return AnalyticsCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, interruption);
    }
}
