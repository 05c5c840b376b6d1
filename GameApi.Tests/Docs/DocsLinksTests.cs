using System.Text.RegularExpressions;

namespace GameApi.Tests.Docs;

/// <summary>
/// Every relative link in the README and docs/ leads somewhere: the file exists, and an anchor names a
/// heading of the page as GitHub names it (lowercase, punctuation dropped, spaces as hyphens).
/// </summary>
public partial class DocsLinksTests
{
    private static readonly DirectoryInfo Root = RepositoryRoot();

    public static IEnumerable<string> Pages() =>
        new[] { "README.md" }.Concat(Directory.EnumerateFiles(Path.Combine(Root.FullName, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root.FullName, p).Replace('\\', '/')))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Pages))]
    public void RelativeLinks_LeadToAFileAndHeading(string page)
    {
        var path = Path.Combine(Root.FullName, page);
        var broken = new List<string>();
        foreach (var target in Links(File.ReadAllText(path)))
        {
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(file)));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target}: no heading with that anchor");
            }
        }

        Assert.That(broken, Is.Empty, page);
    }

    [TestCase("## Embedded broker capacity (`bench/retention.sh`)", "embedded-broker-capacity-benchretentionsh")]
    [TestCase("### The topic cache (`bench/analytics.sh cache`)", "the-topic-cache-benchanalyticssh-cache")]
    [TestCase("## Start and stop", "start-and-stop")]
    public void Anchors_AsGitHubNamesThem(string heading, string anchor) =>
        Assert.That(Anchors(heading), Does.Contain(anchor));

    // Links outside fenced code; absolute ones (a scheme, or //) are not this repository's.
    private static IEnumerable<string> Links(string markdown) =>
        LinkPattern().Matches(WithoutCode(markdown)).Select(m => m.Groups[1].Value)
            .Where(t => !SchemePattern().IsMatch(t) && !t.StartsWith("//", StringComparison.Ordinal));

    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match heading in HeadingPattern().Matches(WithoutCode(markdown)))
        {
            var text = LinkTextPattern().Replace(heading.Groups[1].Value.Trim(), "$1").ToLowerInvariant();
            var slug = string.Concat(text.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}"; // GitHub numbers repeated headings
            }
        }

        return anchors;
    }

    private static string WithoutCode(string markdown) => FencePattern().Replace(markdown, "");

    private static DirectoryInfo RepositoryRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "GameApi.sln")))
        {
            folder = folder.Parent;
        }

        return folder ?? throw new DirectoryNotFoundException("GameApi.sln above the test folder");
    }

    [GeneratedRegex(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex LinkTextPattern();

    [GeneratedRegex(@"^(```|~~~).*?^\1", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencePattern();
}
