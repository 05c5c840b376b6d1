using GameApi.Domain.Items;
using GameApi.Web.Http;
using Microsoft.AspNetCore.Mvc;

namespace GameApi.Web.Controllers;

[ApiController]
[Produces(PlainText.ContentType)]
public sealed class ItemsController(PurchaseService purchases) : ControllerBase
{
    /// <summary>Buys a sword (the original endpoint); records a "purchase_sword" event.</summary>
    /// <remarks>Kept for old clients. New clients call /purchase_item?item=sword.</remarks>
    /// <response code="200">Body: "\nSword Purchased!\n".</response>
    /// <response code="503">The event could not be recorded; nothing was bought. Retry.</response>
    [HttpGet("/purchase_a_sword")]
    [Obsolete("Use /purchase_item?item=sword.")]
    [ProducesResponseType<string>(StatusCodes.Status200OK)]
    [ProducesResponseType<string>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<IActionResult> PurchaseSword(CancellationToken cancellationToken)
    {
        await purchases.PurchaseSwordAsync(Request.ToClientMetadata(), cancellationToken);
        return PlainText.Ok("Sword Purchased!");
    }

    /// <summary>Buys an item; records a "purchase_item" event, refused attempts included.</summary>
    /// <param name="item">The item to buy: "sword" or "knife" (exact, case-sensitive). If repeated, the first value counts.</param>
    /// <response code="200">Bought. Body: "\nBought {item}\n", e.g. "\nBought sword\n".</response>
    /// <response code="400">Body: "\nMissing item\n" without an item, "\nInvalid item\n" for any other value (empty included). The attempt is still recorded.</response>
    /// <response code="503">The event could not be recorded; nothing was bought. Retry.</response>
    [HttpGet("/purchase_item")]
    [ProducesResponseType<string>(StatusCodes.Status200OK)]
    [ProducesResponseType<string>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<string>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<IActionResult> PurchaseItem(
        [FromQuery] string? item,
        CancellationToken cancellationToken)
    {
        var result = await purchases.PurchaseItemAsync(item, Request.ToClientMetadata(), cancellationToken);
        return result.Outcome switch
        {
            PurchaseOutcome.Bought => PlainText.Ok($"Bought {result.Item}"),
            PurchaseOutcome.Missing => PlainText.BadRequest("Missing item"),
            _ => PlainText.BadRequest("Invalid item"),
        };
    }
}
