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

    /// <summary>
    /// Has <paramref name="write"/> write a temporary file beside <paramref name="path"/>, then renames it
    /// over the path: a write that fails (a full disk, a query failing half-way) leaves no partial file,
    /// and an earlier file of that name as it was.
    /// </summary>
    /// <remarks>
    /// What writing in place would keep is kept: a symbolic link is followed (its target is replaced, the
    /// link stays), and an earlier file's permissions pass to the new one.
    /// </remarks>
    /// <exception cref="OutputException">The file cannot be written; the message names the path, not the temporary file.</exception>
    public static void Replace(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string target;
        try
        {
            target = new FileInfo(path).LinkTarget is null ? path : File.ResolveLinkTarget(path, returnFinalTarget: true)!.FullName;
        }
        catch (IOException e) // a loop of links
        {
            throw new OutputException(path, e.Message, e);
        }

        var temporary = Path.Combine(Path.GetDirectoryName(target) ?? ".", $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            write(temporary);
            if (File.Exists(target) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch (OutputException e)
        {
            throw new OutputException(e.Message.Replace(temporary, path, StringComparison.Ordinal), e);
        }
        catch (UnauthorizedAccessException e) when (!File.Exists(temporary))
        {
            // The file is written beside its name first: it is the folder that refused.
            throw new OutputException(path, $"cannot create a file in folder '{Path.GetDirectoryName(Path.GetFullPath(target))}' (permission denied)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || IsFileTooLarge(e))
        {
            throw new OutputException(path, IsFileTooLarge(e) ? "File too large" : e.Message.Replace(temporary, path, StringComparison.Ordinal), e);
        }
        finally
        {
            try
            {
                File.Delete(temporary); // nothing to delete once renamed
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind: a hidden .partial file; the error that matters is already on its way.
            }
        }
    }

    // EFBIG (past the file system's or `ulimit -f`'s size limit) comes out of .NET's file writes as an
    // ArgumentOutOfRangeException for their "value" ("Specified file length was too large for the file system").
    private static bool IsFileTooLarge(Exception e) => e is ArgumentOutOfRangeException { ParamName: "value" };

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
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            return $"--output '{path}': folder '{folder}' does not exist.";
        }

        // The file is replaced by a rename, which the folder's permissions allow even for a read-only file:
        // refused here, as an editor refuses it (.NET calls a file ReadOnly when its mode lets this user not write it).
        return File.Exists(path) && File.GetAttributes(path).HasFlag(FileAttributes.ReadOnly)
            ? $"--output '{path}' is read-only; make it writable (chmod u+w) or give another name."
            : null;
    }
}
