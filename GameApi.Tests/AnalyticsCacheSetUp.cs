namespace GameApi.Tests;

/// <summary>
/// Points the analytics' topic cache at a folder of this test run (GAMEAPI_ANALYTICS_CACHE, which the
/// in-process command line and every analytics process the tests start both read), so tests neither read
/// nor fill the user's own cache, and removes it at the end.
/// </summary>
[SetUpFixture]
public sealed class AnalyticsCacheSetUp
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"gameapi-analytics-cache-{Guid.NewGuid():N}");

    [OneTimeSetUp]
    public void UseTestCache() => Environment.SetEnvironmentVariable("GAMEAPI_ANALYTICS_CACHE", Root);

    [OneTimeTearDown]
    public void RemoveTestCache()
    {
        Environment.SetEnvironmentVariable("GAMEAPI_ANALYTICS_CACHE", null);
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
