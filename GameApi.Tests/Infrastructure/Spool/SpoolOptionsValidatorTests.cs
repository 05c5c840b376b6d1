using GameApi.Infrastructure.Spool;
using Microsoft.Extensions.Hosting.Internal;

namespace GameApi.Tests.Infrastructure.Spool;

public class SpoolOptionsValidatorTests
{
    private static string? Failure(string path) =>
        new SpoolOptionsValidator(new HostingEnvironment { ContentRootPath = Path.GetTempPath() })
            .Validate(null, new SpoolOptions { Path = path }).FailureMessage;

    [Test]
    public void Validate_Defaults_Succeed() => Assert.That(Failure(new SpoolOptions().Path), Is.Null);

    [TestCase("/data/events.db")]
    [TestCase("a-folder-that-does-not-exist-yet/events.db")]
    public void Validate_AFile_Succeeds(string path) => Assert.That(Failure(path), Is.Null);

    // "/" stopped the start with "Value cannot be null. (Parameter 'path')", naming no key.
    [TestCase("/")]
    [TestCase("spool/")]
    public void Validate_RootOrFolder_NamesTheKey(string path) =>
        Assert.That(Failure(path), Is.EqualTo($"Spool:Path must name a file, not a folder (got '{path}')."));

    [Test]
    public void Validate_AnExistingFolder_NamesTheKey()
    {
        var folder = Directory.CreateTempSubdirectory("gameapi-folder-");
        try
        {
            Assert.That(Failure(folder.FullName), Is.EqualTo($"Spool:Path must name a file, not a folder (got '{folder.FullName}')."));
            Assert.That(Failure(Path.GetRelativePath(Path.GetTempPath(), folder.FullName)), Does.StartWith("Spool:Path must name a file, not a folder"), "relative: under the content root");
        }
        finally
        {
            folder.Delete();
        }
    }

    [TestCase("")]
    [TestCase(" ")]
    public void Validate_Empty_NamesTheKey(string path) => Assert.That(Failure(path), Is.EqualTo("Spool:Path must name a file."));
}
