namespace GameApi.Analytics.Output;

public enum OutputFormat
{
    Table,
    Csv,
    Json,
    Parquet,

    /// <summary>One self-contained page with a chart per report (report only).</summary>
    Html,
}
