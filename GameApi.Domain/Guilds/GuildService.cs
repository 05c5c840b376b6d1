using GameApi.Domain.Events;

namespace GameApi.Domain.Guilds;

public enum JoinGuildOutcome
{
    Joined,
    Missing,
    Invalid,
}

public sealed record JoinGuildResult(JoinGuildOutcome Outcome, GuildId? Guild);

/// <summary>Guild membership. Every attempt is recorded, refused ones included.</summary>
public sealed class GuildService(IEventLogger eventLogger, GameEventFactory events)
{
    public const string MissingValue = "missing";
    public const string InvalidValue = "invalid";

    /// <param name="guildId">The requested guild as sent; null when the client sent none.</param>
    public async Task<JoinGuildResult> JoinAsync(string? guildId, ClientMetadata client, CancellationToken cancellationToken)
    {
        var result = guildId is null ? new JoinGuildResult(JoinGuildOutcome.Missing, null)
            : GuildId.TryCreate(guildId, out var id) ? new JoinGuildResult(JoinGuildOutcome.Joined, id)
            : new JoinGuildResult(JoinGuildOutcome.Invalid, null);

        // A joined guild is recorded as a number, refusals as text: the original's analytics expect both.
        object recorded = result.Outcome switch
        {
            JoinGuildOutcome.Joined => result.Guild!.Value,
            JoinGuildOutcome.Missing => MissingValue,
            _ => InvalidValue,
        };
        await eventLogger.LogAsync(events.Create(EventTypes.JoinGuild, client, new EventField(EventFields.GuildId, recorded)), cancellationToken);
        return result;
    }
}
