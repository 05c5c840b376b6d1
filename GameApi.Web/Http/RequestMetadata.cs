using GameApi.Domain.Events;
using GameApi.Web.Idempotency;

namespace GameApi.Web.Http;

internal static class RequestMetadata
{
    // A retry's key names no secret, though its name has "key" in it: it is recorded, so that events can
    // be matched to the requests that made them (docs/events.md).
    private static readonly string[] NotSecret = [IdempotencyKey.HeaderName];

    /// <summary>
    /// The request's headers as event metadata (the domain drops credentials), with the action id of a
    /// request sent with an Idempotency-Key.
    /// </summary>
    public static ClientMetadata ToClientMetadata(this HttpRequest request)
    {
        var metadata = ClientMetadata.From(request.Headers.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value)), NotSecret);
        return request.HttpContext.Features.Get<IdempotentAction>() is { } action ? metadata.WithActionId(action.ActionId) : metadata;
    }
}
