using GameApi.Domain.Home;
using GameApi.Web.Http;
using Microsoft.AspNetCore.Mvc;

namespace GameApi.Web.Controllers;

[ApiController]
[Produces(PlainText.ContentType)]
public sealed class HomeController(VisitService visits) : ControllerBase
{
    /// <summary>The default response; records a "default" event.</summary>
    /// <response code="200">Body: "\nThis is the default response\n".</response>
    /// <response code="503">The event could not be recorded; nothing was done. Retry.</response>
    [HttpGet("/")]
    [ProducesResponseType<string>(StatusCodes.Status200OK)]
    [ProducesResponseType<string>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<IActionResult> Default(CancellationToken cancellationToken)
    {
        await visits.VisitAsync(Request.ToClientMetadata(), cancellationToken);
        return PlainText.Ok("This is the default response");
    }
}
