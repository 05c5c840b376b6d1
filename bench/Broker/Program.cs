// Usage: Broker ADDRESS PARTITIONS, then lines on stdin: "down", "up"; end of input stops it.
using GameApi.Infrastructure.Embedded;

using var broker = EmbeddedKafkaBroker.Start(args[0]);
broker.CreateTopic("events", int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
Console.WriteLine($"broker at {broker.BootstrapServers}");
while (Console.ReadLine() is { } command)
{
    switch (command.Trim())
    {
        case "down":
            broker.SetDown();
            break;
        case "up":
            broker.SetUp();
            break;
        default:
            continue;
    }

    Console.WriteLine($"broker {command.Trim()}");
}
