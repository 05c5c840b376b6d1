using DuckDB.NET.Data;
using GameApi.Analytics.Reports;

// DuckDB reading a JSON Lines file by itself (read_json's own column and type detection, no check for
// junk lines or resent events) and answering the analytics' built-in report: what the analytics' own
// schema pass and checks are measured against (docs/benchmarks.md).
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: DuckDbReadJson <events.jsonl>");
    return 2;
}

using var connection = new DuckDBConnection("DataSource=:memory:");
connection.Open();
using var command = connection.CreateCommand();
var file = args[0].Replace("'", "''", StringComparison.Ordinal);
command.CommandText = "SET TimeZone = 'UTC'; "
    + "CREATE VIEW events AS SELECT event_type, item, guild_id, \"User-Agent\" AS user_agent, \"timestamp\" "
    + $"FROM read_json('{file}', format = 'newline_delimited'); "
    + BuiltInReports.Sql;
using var reader = command.ExecuteReader();
while (reader.FieldCount == 0 && reader.NextResult())
{
    // SET and CREATE VIEW have no result: the report's is the last.
}

var rows = 0;
while (reader.Read())
{
    rows++;
}

Console.WriteLine($"{rows} report rows");
return 0;
