using GameApi.Domain.Events;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Domain.Events;

public class GameEventFactoryTests
{
    private static readonly ClientMetadata Client = ClientMetadata.From([KeyValuePair.Create("User-Agent", (IEnumerable<string?>)["game/1.0"])]);
    private readonly GameEventFactory _factory = new(new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero)));

    [Test]
    public void Create_NoActionId_FreshIdEachTime()
    {
        var first = _factory.Create(EventTypes.Default, Client);
        var second = _factory.Create(EventTypes.Default, Client);

        Assert.That(second.EventId, Is.Not.EqualTo(first.EventId));
        Assert.That(first.EventId, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public void Create_WithActionId_TheEventTakesItAndKeepsTheMetadata()
    {
        var action = Guid.NewGuid();

        var created = _factory.Create(EventTypes.JoinGuild, Client.WithActionId(action));

        Assert.That(created.EventId, Is.EqualTo(action));
        Assert.That(created.Client.Entries, Is.EqualTo(Client.Entries));
        Assert.That(Client.ActionId, Is.Null, "the original metadata is unchanged");
    }
}
