// Usage: KafkaRead EVENTS.jsonl ANALYTICS_BINARY [runs]
// Starts an embedded broker, produces every line of the file to topic "events" (16 partitions, lz4,
// so the mock's 5 MiB-per-partition cap keeps everything), then times, alternately:
//   kcat -b ADDR -t events -C -o beginning -e -q > /dev/null
//   gameapi-analytics --bootstrap-servers ADDR --no-cache sql "SELECT COUNT(*) FROM events"   (the whole topic each time)
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using GameApi.Infrastructure.Embedded;

var (file, analytics) = (args[0], args[1]);
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
using var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
broker.CreateTopic("events", 16);

var produced = 0L;
using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
{
    BootstrapServers = broker.BootstrapServers,
    CompressionType = CompressionType.Lz4,
    LingerMs = 20,
}).Build())
{
    foreach (var line in File.ReadLines(file))
    {
        while (true)
        {
            try
            {
                producer.Produce("events", new Message<Null, string> { Value = line });
                break;
            }
            catch (ProduceException<Null, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }

        produced++;
    }

    producer.Flush();
}

Console.WriteLine($"produced {produced} events to {broker.BootstrapServers}");

double Time(string command, string arguments)
{
    var run = TimedRun.Of(new ProcessStartInfo(command, arguments));
    if (command != "kcat")
    {
        Console.WriteLine($"  analytics counted: {run.Stdout.Trim().Split('\n').Last()}");
    }

    return run.Seconds;
}

var kcat = new List<double>();
var ours = new List<double>();
for (var run = 0; run < runs; run++)
{
    kcat.Add(Time("kcat", $"-b {broker.BootstrapServers} -t events -C -o beginning -e -q"));
    ours.Add(Time(analytics, $"--bootstrap-servers {broker.BootstrapServers} --format csv --no-cache sql \"SELECT COUNT(*) FROM events\""));
}

Console.WriteLine($"kcat:      {string.Join(" ", kcat.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s, median {kcat.Order().ElementAt(runs / 2):0.00}");
Console.WriteLine($"analytics: {string.Join(" ", ours.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s, median {ours.Order().ElementAt(runs / 2):0.00}");
Console.WriteLine($"ratio (median): {ours.Order().ElementAt(runs / 2) / kcat.Order().ElementAt(runs / 2):0.00}x");
