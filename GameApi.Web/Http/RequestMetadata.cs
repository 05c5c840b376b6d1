using GameApi.Domain.Events;
using GameApi.Web.Idempotency;

namespace GameApi.Web.Http;

internal static class RequestMetadata
{
    /// <summary>
    /// The request's headers as event metadata (the domain drops credentials), with the action id of a
    /// request sent with an Idempotency-Key.
    /// </summary>
    public static ClientMetadata ToClientMetadata(this HttpRequest request)
    {
        var metadata = ClientMetadata.From(request.Headers.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value)));
        return request.HttpContext.Features.Get<IdempotentAction>() is { } action ? metadata.WithActionId(action.ActionId) : metadata;
    }
}
