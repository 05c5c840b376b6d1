using DuckDB.NET.Data;
using GameApi.Analytics.Cli;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Analytics;

/// <summary>Runs the analytics command line in-process and keeps what it printed.</summary>
internal sealed record AnalyticsOutcome(int ExitCode, string Stdout, string Stderr)
{
    public JArray JsonRows => JArray.Parse(Stdout);

    public JObject JsonObject => JObject.Parse(Stdout);
}

internal static class AnalyticsRunner
{
    public static AnalyticsOutcome Run(params string[] args) => Run(null, args);

    /// <param name="interruption">Stands for Ctrl+C: the test calls its Request().</param>
    public static AnalyticsOutcome Run(Interruption? interruption, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = AnalyticsCli.Run(args, stdout, stderr, interactive: false, interruption);
        return new AnalyticsOutcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Rows of a query on a fresh DuckDB: reading back what a command wrote to a file.</summary>
    public static List<object?[]> ReadBack(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
        }

        return rows;
    }

    public static string WriteLines(params string[] lines)
    {
        var path = TestRunFolder.NewPath("events", ".jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
