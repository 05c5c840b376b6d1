using System.Text;
using GameApi.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

/// <summary>
/// Thousands of generated requests against the API on real Kestrel and the embedded broker: every
/// answer is one the API documents, and every event on the topic is well-formed and free of credentials.
/// </summary>
public class HostileInputTests
{
    private const int Requests = 2000;
    private static readonly HashSet<int> Documented = [200, 400, 404, 405, 409, 413, 414, 422, 431];
    private static readonly string[] Paths = ["/", "/purchase_a_sword", "/purchase_item", "/join_guild", "/nope", "/purchase_item/", "/JOIN_GUILD", "/%00", "/swagger/../join_guild"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
    private static readonly string[] Names = ["item", "guild_id", "ITEM", "Guild_Id", "x", "event_type", "", "%ZZ", "it%65m"];
    private static readonly string[] HeaderNames = ["Event_Type", "EVENT_ID", "timestamp", "Item", "guild_id", "Authorization", "Proxy-Authorization", "Cookie", "X-Test", "User-Agent", "Accept"];
    private static readonly string[] Values =
    [
        "sword", "knife", "Sword", "", "1", "007", "0", "-1", "+1", "1.0", "9223372036854775808", "%ZZ", "%E0%A4", "%00",
        "%0A%0D", "%F0%9F%98%80", "%C3%A9", "a%20b", "%", "%%", "1e3", "null", "[1]", "{\"a\":1}", "✓", "\t",
    ];

    // Few keys, so that they are reused across paths and queries (422), at once (409) and in turn (replays).
    private static readonly string[] Keys =
    [
        "k1", "k2", "k3", "\"quoted\"", "", " ", "a b", "\t", "clé", "✓", new string('k', 255), new string('k', 256),
        "%00", "a,b", "null", "~!#$%&'()*+-./:;<=>?@[\\]^_`{|}",
    ];

    private GameApiFactory _api = null!;
    private readonly List<(int Status, string Body, bool Replayed)> _answers = [];

    [OneTimeSetUp]
    public async Task SendGeneratedRequests()
    {
        _api = new GameApiFactory(new Dictionary<string, string?> { ["Kafka:Partitions"] = "4" });
        _api.UseKestrel(0);
        _api.StartServer();
        var address = _api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Header values go out as raw UTF-8, as a careless client would send them.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = new Uri(address),
        };
        var random = new Random(20261127); // fixed: a failure can be replayed
        var requests = Enumerable.Range(0, Requests).Select(_ => Generate(random)).ToList();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, token) =>
        {
            using (request)
            {
                using var response = await client.SendAsync(request, token);
                var body = await response.Content.ReadAsStringAsync(token);
                lock (_answers)
                {
                    _answers.Add(((int)response.StatusCode, body, response.Headers.Contains("Idempotent-Replayed")));
                }
            }
        });
    }

    [OneTimeTearDown]
    public void Stop() => _api.Dispose();

    private static HttpRequestMessage Generate(Random random)
    {
        T Pick<T>(T[] from) => from[random.Next(from.Length)];
        var query = new StringBuilder();
        var parameters = random.Next(10) == 0 ? random.Next(100, 400) : random.Next(0, 4);
        for (var i = 0; i < parameters; i++)
        {
            query.Append(i == 0 ? '?' : '&').Append(Pick(Names)).Append('=').Append(Pick(Values));
        }

        if (random.Next(20) == 0)
        {
            query.Append("&item=").Append(new string('a', random.Next(1_000, 20_000))); // past Kestrel's request-line limit at times
        }

        if (random.Next(20) == 0)
        {
            // The same request again and again with one key: replayed, or 409 while the first is in flight.
            var again = new HttpRequestMessage(HttpMethod.Get, "/purchase_item?item=knife");
            again.Headers.Add("Idempotency-Key", "again");
            return again;
        }

        var request = new HttpRequestMessage(new HttpMethod(Pick(Methods)), Pick(Paths) + query);
        var headers = random.Next(10) == 0 ? random.Next(50, 300) : random.Next(0, 6);
        for (var i = 0; i < headers; i++)
        {
            var name = random.Next(3) == 0 ? $"X-Generated-{i}" : Pick(HeaderNames);
            var value = random.Next(30) == 0 ? new string('v', random.Next(1_000, 40_000)) : "secret " + Pick(Values) + " é";
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var keys = random.Next(5) == 0 ? (random.Next(5) == 0 ? 2 : 1) : 0;
        for (var i = 0; i < keys; i++)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Pick(Keys));
        }

        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && random.Next(2) == 0)
        {
            request.Content = new StringContent("{\"event_type\":\"forged\"}", Encoding.UTF8, "application/json");
        }
        else if (request.Method == HttpMethod.Get && random.Next(10) == 0)
        {
            request.Content = new StringContent("body on a GET");
        }

        return request;
    }

    [Test]
    public void EveryStatusIsDocumented()
    {
        Assert.That(_answers, Has.Count.EqualTo(Requests));
        Assert.That(_answers.Where(a => !Documented.Contains(a.Status)), Is.Empty);
    }

    [Test]
    public void EveryEventIsWellFormedWithKnownValues()
    {
        var events = TopicReader.ReadAll(_api.Kafka.BootstrapServers, "events");
        // The game endpoints' answers (their bodies start with a newline); Kestrel's own 400s have none.
        // A replayed answer and a refused key record nothing.
        var recorded = _answers.Count(a => a.Status is 200 or 400 && a.Body.StartsWith('\n') && !a.Replayed && a.Body != "\nInvalid Idempotency-Key\n");

        Assert.That(events, Has.Count.EqualTo(recorded), "one event per answered game request");
        // A fifth: many requests are meant to fail before an endpoint, and one in twenty repeats a keyed one.
        Assert.That(recorded, Is.GreaterThan(Requests / 5), "the generator reaches the endpoints");
        foreach (var text in events)
        {
            var e = Newtonsoft.Json.JsonConvert.DeserializeObject<JObject>(text, new Newtonsoft.Json.JsonSerializerSettings { DateParseHandling = Newtonsoft.Json.DateParseHandling.None })!;
            var type = e["event_type"]!.Value<string>();
            Assert.That(type, Is.AnyOf("default", "purchase_sword", "purchase_item", "join_guild"));
            if (type == "purchase_item")
            {
                Assert.That(e["item"]!.Value<string>(), Is.AnyOf("sword", "knife", "missing", "invalid"));
            }

            if (type == "join_guild")
            {
                var guild = e["guild_id"]!;
                Assert.That(guild.Type == JTokenType.Integer ? guild.Value<long>() > 0 : guild.Value<string>() is "missing" or "invalid", Is.True, text);
            }

            Assert.That(Guid.TryParse(e["event_id"]!.Value<string>(), out _), Is.True);
            Assert.That(e.Properties().Select(p => p.Name), Has.None.EqualTo("Authorization").IgnoreCase
                .And.None.EqualTo("Proxy-Authorization").IgnoreCase.And.None.EqualTo("Cookie").IgnoreCase);
            Assert.That(e.Properties().Count(p => string.Equals(p.Name, "event_type", StringComparison.OrdinalIgnoreCase)), Is.EqualTo(1));
        }
    }

    [Test]
    public void OddKeysAreRefusedAndReusedKeysReplayedOrRefused()
    {
        Assert.That(_answers.Count(a => a.Body == "\nInvalid Idempotency-Key\n"), Is.GreaterThan(20));
        Assert.That(_answers.Count(a => a.Replayed), Is.GreaterThan(0));
        Assert.That(_answers.Count(a => a.Status == 422), Is.GreaterThan(0));
    }

    [Test]
    public void OversizedRequestsAreRefusedBeforeReachingTheApi() =>
        Assert.That(_answers.Where(a => a.Status is 414 or 431), Is.Not.Empty, "the generator exercises Kestrel's limits");
}
