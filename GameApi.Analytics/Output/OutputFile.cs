namespace GameApi.Analytics.Output;

/// <summary>The --output path: its format from the extension, and what is wrong with it, if anything.</summary>
public static class OutputFile
{
    public const string Extensions = ".csv, .json, .parquet or .html (report only)";

    /// <summary>The format the file name asks for; null for any other extension.</summary>
    public static OutputFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => OutputFormat.Csv,
        ".json" => OutputFormat.Json,
        ".parquet" => OutputFormat.Parquet,
        ".html" => OutputFormat.Html,
        _ => null,
    };

    /// <summary>Why the path cannot be written, as a message naming it; null when it can be tried.</summary>
    public static string? Problem(string path)
    {
        if (FormatOf(path) is null)
        {
            return $"--output '{path}': the file name must end in {Extensions}.";
        }

        if (Directory.Exists(path))
        {
            return $"--output '{path}' is a folder; give a file name.";
        }

        var folder = Path.GetDirectoryName(path);
        return string.IsNullOrEmpty(folder) || Directory.Exists(folder)
            ? null
            : $"--output '{path}': folder '{folder}' does not exist.";
    }
}
