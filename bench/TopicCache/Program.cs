// Usage: TopicCache EVENTS.jsonl ANALYTICS_BINARY [runs]
// The analytics' topic cache (docs/analytics.md), measured from outside on the embedded broker:
//   1. produces every line of the file to topic "events" (64 partitions, lz4, so the mock broker's
//      5 MiB-per-partition cap keeps everything);
//   2. times `report` with an empty cache (the first run), then [runs] more over the unchanged topic,
//      and the same with --no-cache for reference; likewise `sql "SELECT COUNT(*) ..."`;
//   3. produces 1,000 new events and checks the count grew by exactly 1,000;
//   4. recreates the topic (a new broker on the same address) with other events and checks the
//      count is the new topic's, and the run said it rebuilt the cache.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using GameApi.Infrastructure.Embedded;

var (file, analytics) = (args[0], args[1]);
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var cache = Directory.CreateTempSubdirectory("gameapi-cache-bench-").FullName;
var broker = EmbeddedKafkaBroker.Start("127.0.0.1:0");
var address = broker.BootstrapServers;
const string CountSql = "SELECT COUNT(*) FROM events";
const int Partitions = 64;

try
{
    broker.CreateTopic("events", Partitions);
    var produced = Produce(File.ReadLines(file));
    Console.WriteLine($"produced {produced:N0} events to {address}");
    var first = Time("report", cached: true);
    Console.WriteLine($"  first run: {Said(first, "Read ")}");

    var again = Enumerable.Range(0, runs).Select(_ => Time("report", cached: true)).ToList();
    var uncached = Enumerable.Range(0, runs).Select(_ => Time("report", cached: false)).ToList();
    Console.WriteLine($"report, first run (empty cache): {first.Seconds:0.00} s");
    Console.WriteLine($"report, unchanged topic:         {Median(again):0.00} s median of {Line(again)}: {first.Seconds / Median(again):0.0}x faster");
    Console.WriteLine($"report, --no-cache:              {Median(uncached):0.00} s median of {Line(uncached)}");
    Console.WriteLine($"  same answer as --no-cache: {again[0].Stdout == uncached[0].Stdout}");

    var countAgain = Enumerable.Range(0, runs).Select(_ => Time("sql", cached: true)).ToList();
    var countUncached = Enumerable.Range(0, runs).Select(_ => Time("sql", cached: false)).ToList();
    Console.WriteLine($"count, unchanged topic:          {Median(countAgain):0.00} s median of {Line(countAgain)}");
    Console.WriteLine($"count, --no-cache:               {Median(countUncached):0.00} s median of {Line(countUncached)}: {Median(countUncached) / Median(countAgain):0.0}x slower");

    var before = Count(countAgain[0]);
    Produce(Enumerable.Range(0, 1000).Select(i => $$"""{"event_type":"default","event_id":"bench-new-{{i}}","timestamp":"2026-12-07T12:00:00.000Z"}"""));
    var grown = Time("sql", cached: true);
    Console.WriteLine($"after 1,000 new events: {grown.Seconds:0.00} s, count {before:N0} -> {Count(grown):N0} (+{Count(grown) - before:N0}); {Said(grown, "Read ")}");

    // Deleting and creating the topic again, as a reader sees it: the same address, other records.
    broker.Dispose();
    broker = EmbeddedKafkaBroker.Start(address);
    broker.CreateTopic("events", Partitions);
    var recreated = Produce(File.ReadLines(file).Take(300_000).Select(l => l.Replace("\"event_id\":\"", "\"event_id\":\"recreated-", StringComparison.Ordinal)));
    var rebuilt = Time("sql", cached: true);
    Console.WriteLine($"topic recreated with {recreated:N0} events: {rebuilt.Seconds:0.00} s, count {Count(rebuilt):N0}; {Said(rebuilt, "Rebuilding")}");
    var afterRebuild = Time("sql", cached: true);
    Console.WriteLine($"  and the run after: {afterRebuild.Seconds:0.00} s, count {Count(afterRebuild):N0}; {Said(afterRebuild, "Read ")}");
}
finally
{
    broker.Dispose();
    Directory.Delete(cache, recursive: true);
}

long Produce(IEnumerable<string> lines)
{
    var count = 0L;
    using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
    {
        BootstrapServers = address,
        CompressionType = CompressionType.Lz4,
        LingerMs = 20,
    }).Build();
    foreach (var line in lines)
    {
        while (true)
        {
            try
            {
                // Round robin: an even spread keeps every partition under the 5 MiB cap.
                producer.Produce(new TopicPartition("events", new Partition((int)(count % Partitions))), new Message<Null, string> { Value = line });
                break;
            }
            catch (ProduceException<Null, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }

        count++;
    }

    producer.Flush();
    return count;
}

TimedRun Time(string command, bool cached)
{
    var start = new ProcessStartInfo(analytics);
    foreach (var argument in new[] { "--bootstrap-servers", address, "--format", "csv" })
    {
        start.ArgumentList.Add(argument);
    }

    start.ArgumentList.Add(cached ? "--cache-dir" : "--no-cache");
    if (cached)
    {
        start.ArgumentList.Add(cache);
    }

    start.ArgumentList.Add(command);
    if (command == "sql")
    {
        start.ArgumentList.Add(CountSql);
    }

    return TimedRun.Of(start);
}

static long Count(TimedRun run) => long.Parse(run.Stdout.Trim().Split('\n').Last(), CultureInfo.InvariantCulture);

static double Median(List<TimedRun> runs) => runs.Select(r => r.Seconds).Order().ElementAt(runs.Count / 2);

static string Line(List<TimedRun> runs) => string.Join(" ", runs.Select(r => r.Seconds.ToString("0.00", CultureInfo.InvariantCulture)));

// The run's own line about the cache, as it printed it.
static string Said(TimedRun run, string start) =>
    run.Stderr.Split('\n').FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal)) is { } line
        ? $"said \"{Regex.Replace(line, @" \(/.*\)", "")}\""
        : "said nothing about the cache";

