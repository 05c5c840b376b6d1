using GameApi.Domain.Guilds;
using GameApi.Web.Http;
using Microsoft.AspNetCore.Mvc;

namespace GameApi.Web.Controllers;

[ApiController]
[Produces(PlainText.ContentType)]
public sealed class GuildsController(GuildService guilds) : ControllerBase
{
    /// <summary>Joins a guild; records a "join_guild" event, refused attempts included.</summary>
    /// <param name="guild_id">The guild: a positive whole number up to 9223372036854775807 in ASCII digits (leading zeros allowed). If repeated, the first value counts.</param>
    /// <response code="200">Joined. Body: "\nJoined guild {id}\n", e.g. "\nJoined guild 1\n".</response>
    /// <response code="400">Body: "\nMissing guild ID\n" without an ID, "\nInvalid guild ID\n" for anything else (zero, negative, too large, signs, decimals, blank). The attempt is still recorded.</response>
    /// <response code="503">The event could not be recorded; the guild was not joined. Retry.</response>
    [HttpGet("/join_guild")]
    [ProducesResponseType<string>(StatusCodes.Status200OK)]
    [ProducesResponseType<string>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<string>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<IActionResult> JoinGuild(
        [FromQuery] string? guild_id,
        CancellationToken cancellationToken)
    {
        var result = await guilds.JoinAsync(guild_id, Request.ToClientMetadata(), cancellationToken);
        return result.Outcome switch
        {
            JoinGuildOutcome.Joined => PlainText.Ok($"Joined guild {result.Guild}"),
            JoinGuildOutcome.Missing => PlainText.BadRequest("Missing guild ID"),
            _ => PlainText.BadRequest("Invalid guild ID"),
        };
    }
}
