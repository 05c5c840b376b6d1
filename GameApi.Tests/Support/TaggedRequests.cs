using System.Net;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Support;

/// <summary>
/// Requests that carry an id of their own (X-Request-Id), which the API records with the event's other
/// headers: a test can then tell whose event reached the topic or the spool.
/// </summary>
internal static class TaggedRequests
{
    public const string Header = "X-Request-Id";

    /// <summary>Sends GET <paramref name="path"/> with a new id; the id and the status answered.</summary>
    public static async Task<(string Id, HttpStatusCode Status)> SendAsync(HttpClient client, string path)
    {
        var id = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(Header, id);
        using var response = await client.SendAsync(request);
        return (id, response.StatusCode);
    }

    /// <summary>The request ids in events given as JSON text.</summary>
    public static HashSet<string> IdsIn(IEnumerable<string> events) =>
        // Header names are case-insensitive; ASP.NET Core writes this one as "X-Request-ID".
        events.Select(e => JObject.Parse(e).GetValue(Header, StringComparison.OrdinalIgnoreCase)?.Value<string>())
            .OfType<string>()
            .ToHashSet();

    /// <summary>The request ids of every event on topic "events".</summary>
    public static HashSet<string> IdsOnTopic(string bootstrapServers) => IdsIn(TopicReader.ReadAll(bootstrapServers, "events"));
}
