namespace GameApi.Infrastructure.Storage;

/// <summary>Checks a setting that names one of the API's own files (Spool:Path; Idempotency:Path could use it too).</summary>
internal static class FileSetting
{
    /// <summary>
    /// What is wrong with <paramref name="path"/> as the name of a file, or null when nothing is. Relative
    /// paths are under <paramref name="contentRoot"/>, as the file is opened. A root ("/") or a folder
    /// otherwise stops the start with an ArgumentNullException from deep inside, naming no setting, or
    /// leaves the file unopened for the whole run.
    /// </summary>
    public static string? Problem(string? path, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "must name a file";
        }

        string full;
        try
        {
            full = Path.GetFullPath(path, contentRoot);
        }
        catch (ArgumentException e)
        {
            return $"must name a file: {e.Message}";
        }

        return Path.GetFileName(full).Length == 0 || Directory.Exists(full)
            ? $"must name a file, not a folder (got '{path}')"
            : null;
    }
}
