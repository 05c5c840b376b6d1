using GameApi.Domain.Events;

namespace GameApi.Web.Http;

internal static class RequestMetadata
{
    /// <summary>The request's headers as event metadata (the domain drops credentials).</summary>
    public static ClientMetadata ToClientMetadata(this HttpRequest request) =>
        ClientMetadata.From(request.Headers.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value)));
}
