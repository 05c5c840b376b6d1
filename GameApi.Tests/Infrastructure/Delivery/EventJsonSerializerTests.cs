using GameApi.Domain.Events;
using GameApi.Infrastructure.Delivery;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Infrastructure.Delivery;

public class EventJsonSerializerTests
{
    private static readonly Guid Id = Guid.Parse("0b5e1f9a-3c1d-4e55-9a0b-7d2a1c3e4f50");
    private static readonly DateTimeOffset At = new(2026, 11, 27, 10, 11, 12, 345, TimeSpan.FromHours(2));

    private static ClientMetadata Headers(params (string, string)[] pairs) =>
        ClientMetadata.From(pairs.Select(p => KeyValuePair.Create(p.Item1, (IEnumerable<string?>)[p.Item2])));

    [Test]
    public void Serialize_WritesOneFlatObjectInUtcWithMilliseconds()
    {
        var e = new GameEvent(Id, At, "join_guild", [new EventField("guild_id", 42L)], Headers(("Host", "localhost:5000")));

        Assert.That(EventJsonSerializer.Serialize(e), Is.EqualTo(
            """{"event_type":"join_guild","guild_id":42,"event_id":"0b5e1f9a-3c1d-4e55-9a0b-7d2a1c3e4f50","timestamp":"2026-11-27T08:11:12.345Z","Host":"localhost:5000"}"""));
    }

    [Test]
    public void Serialize_ControlCharactersAndNonAscii_RoundTrip()
    {
        const string tricky = "é😀\"\\\n\t\u0001</script>";
        var e = new GameEvent(Id, At, "default", [], Headers(("X-Note", tricky)));

        var parsed = JObject.Parse(EventJsonSerializer.Serialize(e));

        Assert.That(parsed["X-Note"]!.Value<string>(), Is.EqualTo(tricky));
    }

    [Test]
    public void Serialize_GuildIdAsNumberOrText_KeepsTheJsonType()
    {
        var joined = JObject.Parse(EventJsonSerializer.Serialize(new GameEvent(Id, At, "join_guild", [new EventField("guild_id", 7L)], ClientMetadata.Empty)));
        var refused = JObject.Parse(EventJsonSerializer.Serialize(new GameEvent(Id, At, "join_guild", [new EventField("guild_id", "invalid")], ClientMetadata.Empty)));

        Assert.That(joined["guild_id"]!.Type, Is.EqualTo(JTokenType.Integer));
        Assert.That(refused["guild_id"]!.Type, Is.EqualTo(JTokenType.String));
    }
}
