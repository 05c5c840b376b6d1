using GameApi.Analytics.Cli;

namespace GameApi.Analytics;

internal static class Program
{
    private static int Main(string[] args) =>
        AnalyticsCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);
}
