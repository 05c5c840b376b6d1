using GameApi.Analytics.Cli;

return AnalyticsCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);
