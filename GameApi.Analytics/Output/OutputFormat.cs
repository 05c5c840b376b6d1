namespace GameApi.Analytics.Output;

public enum OutputFormat
{
    Table,
    Csv,
    Json,
    Parquet,
}
