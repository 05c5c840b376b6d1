using System.CommandLine;
using GameApi.Analytics.Engine;
using GameApi.Analytics.Events;
using GameApi.Analytics.Output;
using GameApi.Analytics.Spark;

namespace GameApi.Analytics.Cli;

/// <summary>The command line: commands, options, exit codes (0 done, 1 source unavailable, 2 usage, SQL or output, 130 interrupted).</summary>
public static class AnalyticsCli
{
    public const int Ok = 0;
    public const int SourceUnavailable = 1;
    public const int BadUsage = 2;
    public const int Interrupted = 130; // 128 + SIGINT, as shells report a Ctrl+C

    private static IAnalyticsEngine CreateEngine(RunSettings settings, Interruption? interruption) => settings.Engine == EngineKind.Spark
        ? new SparkEngine(new SparkConnectClient(SparkConnectionString.Parse(settings.SparkRemote), settings.Timeout), settings.Timeout, interruption?.Token ?? CancellationToken.None)
        : new DuckDbEngine(interruption?.Ending ?? CancellationToken.None);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool interactive = false, Interruption? interruption = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var bootstrap = new Option<string>("--bootstrap-servers")
        {
            Description = "Kafka bootstrap servers (environment: Kafka__BootstrapServers)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Kafka__BootstrapServers") is { Length: > 0 } servers ? servers : "127.0.0.1:9092",
            Recursive = true,
        };
        bootstrap.Validators.Add(r => r.AddErrorUnless(KafkaNames.BootstrapProblem(r.GetValueOrDefault<string>() ?? "")));
        var topic = new Option<string>("--topic") { Description = "The topic to read", DefaultValueFactory = _ => "events", Recursive = true };
        topic.Validators.Add(r => r.AddErrorUnless(KafkaNames.TopicProblem(r.GetValueOrDefault<string>() ?? "")));
        var input = new Option<FileInfo?>("--input")
        {
            Description = "Read a JSON Lines file (one event per line, as kcat -C -e prints; a pipe too: --input /dev/stdin) instead of Kafka",
            Recursive = true,
            CustomParser = r => PathOf(r, "--input", "a file name", path => new FileInfo(path), _ => null),
        };
        var format = new Option<string>("--format")
        {
            Description = "How to print results",
            DefaultValueFactory = _ => "table",
            Recursive = true,
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var output = new Option<FileInfo?>("--output")
        {
            Description = "Write results to a file instead: .csv or .json; .parquet (events, sql, report); .html (report)",
            Recursive = true,
            // Checked before the source is read: a wrong name should not cost a whole topic's read first.
            CustomParser = r => PathOf(r, "--output", "a file name ending in " + OutputFile.Extensions, path => new FileInfo(path), file => OutputFile.Problem(file.FullName)),
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for Kafka, or for a Spark Connect server to answer, before giving up (not a limit on the work)",
            DefaultValueFactory = _ => 10,
            Recursive = true,
        };
        InRange(timeout, 1, 3600, "--timeout must be a whole number of seconds from 1 to 3600");

        var engineOption = new Option<string>("--engine")
        {
            Description = "Where the SQL runs: embedded (DuckDB in this process) or spark (a Spark Connect server, which reads the topic itself)",
            DefaultValueFactory = _ => "embedded",
            Recursive = true,
        };
        engineOption.AcceptOnlyFromAmong("embedded", "spark");
        var sparkRemote = new Option<string>("--spark-remote")
        {
            Description = "The Spark Connect server, sc://host[:port]/;key=value (token, use_ssl, user_id, user_agent, session_id, grpc_max_message_size; other keys are sent as headers). "
                + "With --engine spark, --bootstrap-servers is the Kafka address as Spark sees it",
            DefaultValueFactory = _ => "sc://localhost:15002",
            Recursive = true,
        };

        var since = new Option<string?>("--since")
        {
            Description = "Only events whose timestamp is at or after this time: ISO 8601 (2026-12-01, 2026-12-01T10:00:00Z; UTC unless an offset is given) or a span back from now (90m, 24h, 7d)",
            Recursive = true,
        };
        var until = new Option<string?>("--until") { Description = "Only events whose timestamp is before this time (same forms as --since)", Recursive = true };

        var cacheDir = new Option<DirectoryInfo>("--cache-dir")
        {
            Description = "Where topics read by the embedded engine are kept, so the next run reads only new records "
                + "(environment: GAMEAPI_ANALYTICS_CACHE; default: $XDG_CACHE_HOME or ~/.cache, then gameapi-analytics)",
            DefaultValueFactory = _ => new DirectoryInfo(Environment.GetEnvironmentVariable("GAMEAPI_ANALYTICS_CACHE") is { Length: > 0 } dir ? dir : TopicCache.DefaultRoot()),
            Recursive = true,
            CustomParser = r => PathOf(r, "--cache-dir", "a folder", path => new DirectoryInfo(path), _ => null),
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Read the whole topic, neither using nor updating the cache", Recursive = true };

        var limit = new Option<int>("--limit") { Description = "Rows to show; 0 for all", DefaultValueFactory = _ => 20 };
        InRange(limit, 0, int.MaxValue, "--limit must be a whole number of rows, 0 for all");
        var query = new Argument<string>("query") { Description = "A SQL query over the table 'events'; with several statements separated by ';', the last one's result" };
        query.Validators.Add(r =>
        {
            // Comments and semicolons alone are no statement either.
            if (SqlStatements.Split(r.GetValueOrDefault<string>() ?? "").Count == 0)
            {
                r.AddError("The query is empty; for example: sql \"SELECT event_type, COUNT(*) FROM events GROUP BY event_type\"");
            }
        });

        var root = new RootCommand("Batch analytics over GameApi's event topic: reads every event, builds the table 'events' and answers with SQL. "
            + "Exit codes: 0 done, 1 the source cannot be reached or read, or a library of the program is missing or of another version, 2 bad usage, a SQL error or an output that cannot be written, "
            + "130 interrupted (Ctrl+C), 143 and 129 ended by SIGTERM and SIGHUP.");
        foreach (var option in new Option[] { bootstrap, topic, input, format, output, timeout, engineOption, sparkRemote, since, until, cacheDir, noCache })
        {
            root.Options.Add(option);
        }

        // The built-in --version prints this program's version only; ours adds librdkafka's and DuckDB's.
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();

        var events = new Command("events", "Show the events table, all columns (like Spark's show())") { limit };
        var schema = new Command("schema", "Each column of the events table with its type and the share of events that carry it");
        schema.Validators.Add(r =>
        {
            if (OutputFormatNamed(r, output) == OutputFormat.Parquet)
            {
                r.AddError("schema cannot write Parquet; use --output with .csv or .json.");
            }
        });
        var report = new Command("report", "The built-in reports: events per type, purchases per item, guild joins per guild, events per user agent, "
            + "events over time per type; --output report.html writes them as one self-contained page of charts");
        var sql = new Command("sql", "Run any SQL query over the table 'events'") { query };
        foreach (var command in new[] { events, schema, sql })
        {
            // Checked before the source is read, like every other --output problem.
            command.Validators.Add(r =>
            {
                if (OutputFormatNamed(r, output) == OutputFormat.Html)
                {
                    r.AddError($"{command.Name} cannot write HTML (report can); use --output with {(command == schema ? ".csv or .json" : ".csv, .json or .parquet")}.");
                }
            });
        }
        root.Subcommands.Add(events);
        root.Subcommands.Add(schema);
        root.Subcommands.Add(report);
        root.Subcommands.Add(sql);

        int Execute(ParseResult parsed, Action<AnalyticsRun> act)
        {
            var settings = new RunSettings(
                parsed.GetValue(bootstrap)!,
                parsed.GetValue(topic)!,
                parsed.GetValue(input)?.FullName,
                Enum.Parse<OutputFormat>(parsed.GetValue(format)!, ignoreCase: true),
                parsed.GetValue(output)?.FullName,
                TimeSpan.FromSeconds(parsed.GetValue(timeout)),
                Enum.Parse<EngineKind>(parsed.GetValue(engineOption)!, ignoreCase: true),
                parsed.GetValue(sparkRemote)!,
                TimeWindow.All,
                parsed.GetValue(noCache) ? null : parsed.GetValue(cacheDir)!.FullName);
            if (interruption is not null)
            {
                interruption.StopsCleanly = settings.Engine == EngineKind.Spark;
            }

            try
            {
                settings = settings with { Window = TimeWindow.Parse(parsed.GetValue(since), parsed.GetValue(until), DateTime.UtcNow) };
                if (settings is { Engine: EngineKind.Spark, Input: not null })
                {
                    throw new UsageException("--input reads a file on this machine; the Spark engine reads the topic itself. Use the embedded engine for files.");
                }

                AnalyticsRun.Destination(settings); // before the source is read or the server reached

                using var engine = CreateEngine(settings, interruption);
                var run = new AnalyticsRun(settings, engine, stdout, stderr, interactive);
                run.Load();
                act(run);
                return Ok;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("Interrupted.");
                return Interrupted;
            }
            catch (SourceException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return SourceUnavailable;
            }
            catch (SqlException e)
            {
                stderr.WriteLine($"SQL error: {e.Message}");
                return BadUsage;
            }
            catch (Exception e) when (e is UsageException or FormatException or OutputException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return BadUsage;
            }
            catch (Exception e) when (ProgramFiles.MissingLibrary(e) is { } missing)
            {
                // DuckDB's library not beside the executable: an installation to mend, like a missing librdkafka.
                stderr.WriteLine($"error: {missing}");
                return SourceUnavailable;
            }
        }

        events.SetAction(p => Execute(p, run => run.Events(p.GetValue(limit))));
        schema.SetAction(p => Execute(p, run => run.Schema()));
        report.SetAction(p => Execute(p, run => run.Report()));
        sql.SetAction(p => Execute(p, run => run.Sql(p.GetValue(query)!)));

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            stderr.WriteLine("Run with --help for usage.");
            return BadUsage;
        }

        // Ctrl+C is ours (Interruption), not the parser's.
        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null });
    }

    // The format --output's file name asks for, from the name as typed: GetValue would throw when the
    // option's own check failed (a name without a known extension), which the parser reports itself.
    private static OutputFormat? OutputFormatNamed(System.CommandLine.Parsing.CommandResult r, Option<FileInfo?> output) =>
        r.GetResult(output) is { Tokens: [var name] } ? OutputFile.FormatOf(name.Value) : null;

    // A path option's value: in our words when it is missing or empty (the parser's own message names
    // .NET types), else the path, checked by problem (a message, or null when it will do).
    private static T? PathOf<T>(System.CommandLine.Parsing.ArgumentResult r, string option, string what, Func<string, T> create, Func<T, string?> problem)
        where T : class
    {
        var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
        if (string.IsNullOrWhiteSpace(text))
        {
            r.AddError($"{option} needs {what}.");
            return null;
        }

        var path = create(text);
        if (problem(path) is { } message)
        {
            r.AddError(message);
            return null;
        }

        return path;
    }

    private static void AddErrorUnless(this System.CommandLine.Parsing.OptionResult result, string? problem)
    {
        if (problem is not null)
        {
            result.AddError(problem);
        }
    }

    // Parsed here rather than validated after the parser's own conversion: one message, in our words,
    // for a number out of range and for one that is not a number.
    private static void InRange(Option<int> option, int min, int max, string message) =>
        option.CustomParser = r =>
        {
            var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            r.AddError($"{message} (got '{text}').");
            return default;
        };
}
