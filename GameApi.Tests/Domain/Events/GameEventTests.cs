using GameApi.Domain.Events;

namespace GameApi.Tests.Domain.Events;

public class GameEventTests
{
    private static readonly Guid Id = Guid.Parse("6f1c2d1e-0000-4000-8000-000000000001");
    private static readonly DateTimeOffset At = new(2026, 5, 6, 7, 8, 9, 10, TimeSpan.Zero);

    private static GameEvent Event(params (string Name, string Value)[] metadata) => new(
        Id, At, "purchase_item", [new EventField("item", "sword")],
        ClientMetadata.From(metadata.Select(m => KeyValuePair.Create(m.Name, (IEnumerable<string?>)[m.Value]))));

    [Test]
    public void Properties_OwnFieldsFirstThenMetadata()
    {
        var properties = Event(("Host", "h")).Properties().ToList();

        Assert.That(properties, Is.EqualTo(new[]
        {
            new EventField("event_type", "purchase_item"),
            new EventField("item", "sword"),
            new EventField("event_id", Id),
            new EventField("timestamp", At),
            new EventField("Host", "h"),
        }));
    }

    [TestCase("event_type")]
    [TestCase("EVENT_TYPE")]
    [TestCase("Item")]
    [TestCase("event_id")]
    [TestCase("Timestamp")]
    public void Properties_MetadataNamedLikeAnOwnField_Ignored(string forged)
    {
        var properties = Event((forged, "forged"), ("Host", "h")).Properties().ToList();

        Assert.That(properties.Select(p => p.Value), Has.None.EqualTo("forged"));
        Assert.That(properties, Has.Count.EqualTo(5));
    }

    // A guild join has no item, a purchase no guild: a header of that name still does not become one.
    [TestCase("join_guild", "item")]
    [TestCase("join_guild", "ITEM")]
    [TestCase("purchase_item", "Guild_Id")]
    [TestCase("default", "item")]
    [TestCase("default", "guild_id")]
    [TestCase("default", "Event-Type")]
    [TestCase("join_guild", "Guild-Id")]
    [TestCase("purchase_sword", "Event.Id")]
    [TestCase("purchase_sword", "-TimeStamp-")]
    public void Properties_MetadataNamedLikeAnotherTypesField_Ignored(string eventType, string forged)
    {
        var metadata = ClientMetadata.From([KeyValuePair.Create(forged, (IEnumerable<string?>)["forged"]), KeyValuePair.Create("Host", (IEnumerable<string?>)["h"])]);
        var properties = new GameEvent(Id, At, eventType, [], metadata).Properties().ToList();

        Assert.That(properties.Select(p => p.Name), Is.EqualTo(new[] { "event_type", "event_id", "timestamp", "Host" }));
    }

    // A domain field outside EventFields.Reserved (none today) is still not replaced by a header.
    [Test]
    public void Properties_MetadataNamedLikeAFieldOutsideTheReservedOnes_Ignored()
    {
        var metadata = ClientMetadata.From([KeyValuePair.Create("LEVEL", (IEnumerable<string?>)["forged"])]);

        var properties = new GameEvent(Id, At, "level_up", [new EventField("level", 3L)], metadata).Properties().ToList();

        Assert.That(properties.Select(p => p.Value), Has.None.EqualTo("forged"));
    }
}
