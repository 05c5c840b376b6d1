namespace GameApi.Tests;

/// <summary>
/// One temp folder for this test run's files, removed at the end. The analytics' topic cache lives in it
/// (GAMEAPI_ANALYTICS_CACHE, which the in-process command line and every analytics process the tests start
/// both read), so tests neither read nor fill the user's own cache; so do the event files and pages tests write.
/// </summary>
[SetUpFixture]
public sealed class TestRunFolder
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"gameapi-tests-{Guid.NewGuid():N}");

    public static string CacheRoot { get; } = Path.Combine(Root, "analytics-cache");

    /// <summary>A path no other test uses, in this run's folder: <c>{prefix}-{guid}{extension}</c>.</summary>
    public static string NewPath(string prefix, string extension)
    {
        Directory.CreateDirectory(Root);
        return Path.Combine(Root, $"{prefix}-{Guid.NewGuid():N}{extension}");
    }

    [OneTimeSetUp]
    public void UseTestCache() => Environment.SetEnvironmentVariable("GAMEAPI_ANALYTICS_CACHE", CacheRoot);

    [OneTimeTearDown]
    public void Remove()
    {
        Environment.SetEnvironmentVariable("GAMEAPI_ANALYTICS_CACHE", null);
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
