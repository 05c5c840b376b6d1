using System.Reflection;
using GameApi.Domain.Events;

namespace GameApi.Tests.Docs;

/// <summary>docs/events.md names every field and event type the domain defines: the vocabulary has one source, and the page follows it.</summary>
public class EventVocabularyDocsTests
{
    private static string Page()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "docs", "events.md")))
        {
            folder = folder.Parent;
        }

        return File.ReadAllText(Path.Combine(folder?.FullName ?? throw new FileNotFoundException("docs/events.md above the test folder"), "docs", "events.md"));
    }

    [Test]
    public void EventsPage_NamesEveryKnownField() =>
        Assert.That(EventFields.Known, Has.All.Matches<string>(field => Page().Contains($"`{field}`", StringComparison.Ordinal)));

    [Test]
    public void EventsPage_NamesEveryEventType()
    {
        var types = typeof(EventTypes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();

        Assert.That(types, Is.Not.Empty);
        Assert.That(types, Has.All.Matches<string>(type => Page().Contains($"`{type}`", StringComparison.Ordinal)));
    }
}
