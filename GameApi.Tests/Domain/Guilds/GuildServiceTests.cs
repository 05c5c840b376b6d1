using GameApi.Domain.Events;
using GameApi.Domain.Guilds;
using GameApi.Tests.Support;

namespace GameApi.Tests.Domain.Guilds;

public class GuildServiceTests
{
    private readonly RecordingEventLogger _log = new();
    private GuildService _service = null!;

    [SetUp]
    public void SetUp()
    {
        _log.Reset();
        _service = new GuildService(_log.Mock.Object, new GameEventFactory(TimeProvider.System));
    }

    [Test]
    public async Task JoinAsync_ValidId_RecordsTheNumber()
    {
        var result = await _service.JoinAsync("007", ClientMetadata.Empty, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(JoinGuildOutcome.Joined));
        Assert.That(result.Guild!.Value, Is.EqualTo(7));
        Assert.That(_log.Single().Fields, Is.EqualTo(new[] { new EventField("guild_id", 7L) }));
    }

    [TestCase(null, JoinGuildOutcome.Missing, "missing")]
    [TestCase("", JoinGuildOutcome.Invalid, "invalid")]
    [TestCase("a", JoinGuildOutcome.Invalid, "invalid")]
    [TestCase("-3", JoinGuildOutcome.Invalid, "invalid")]
    public async Task JoinAsync_NoValidId_RecordsTheRefusalAsText(string? guildId, JoinGuildOutcome outcome, string recorded)
    {
        var result = await _service.JoinAsync(guildId, ClientMetadata.Empty, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(outcome));
        var e = _log.Single();
        Assert.That(e.EventType, Is.EqualTo("join_guild"));
        Assert.That(e.Fields, Is.EqualTo(new[] { new EventField("guild_id", recorded) }));
    }
}
