using System.Net;
using System.Net.Http.Headers;
using GameApi.Domain.Events;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Web;

/// <summary>Every endpoint's answer and the exact event it hands to the (mocked) event logger.</summary>
public class EndpointTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, 123, TimeSpan.Zero);
    private readonly RecordingEventLogger _log = new();
    private GameApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        _factory = new GameApiFactory(services: s =>
        {
            s.AddSingleton(_log.Mock.Object);
            s.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        });
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [SetUp]
    public void ResetLog() => _log.Reset();

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("/", 200, "\nThis is the default response\n", "default", null);
        yield return new TestCaseData("/purchase_a_sword", 200, "\nSword Purchased!\n", "purchase_sword", null);
        yield return new TestCaseData("/purchase_item?item=sword", 200, "\nBought sword\n", "purchase_item", ("item", (object)"sword"));
        yield return new TestCaseData("/purchase_item?item=knife", 200, "\nBought knife\n", "purchase_item", ("item", (object)"knife"));
        yield return new TestCaseData("/purchase_item", 400, "\nMissing item\n", "purchase_item", ("item", (object)"missing"));
        yield return new TestCaseData("/purchase_item?item=shield", 400, "\nInvalid item\n", "purchase_item", ("item", (object)"invalid"));
        yield return new TestCaseData("/purchase_item?item=", 400, "\nInvalid item\n", "purchase_item", ("item", (object)"invalid"));
        yield return new TestCaseData("/purchase_item?item=Sword", 400, "\nInvalid item\n", "purchase_item", ("item", (object)"invalid"));
        yield return new TestCaseData("/purchase_item?item=knife&item=shield", 200, "\nBought knife\n", "purchase_item", ("item", (object)"knife"));
        yield return new TestCaseData("/purchase_item?item=shield&item=sword", 400, "\nInvalid item\n", "purchase_item", ("item", (object)"invalid"));
        yield return new TestCaseData("/purchase_item?item=%ZZ", 400, "\nInvalid item\n", "purchase_item", ("item", (object)"invalid"));
        yield return new TestCaseData("/join_guild?guild_id=1", 200, "\nJoined guild 1\n", "join_guild", ("guild_id", (object)1L));
        yield return new TestCaseData("/join_guild?guild_id=007", 200, "\nJoined guild 7\n", "join_guild", ("guild_id", (object)7L));
        yield return new TestCaseData("/join_guild?guild_id=9223372036854775807", 200, "\nJoined guild 9223372036854775807\n", "join_guild", ("guild_id", (object)long.MaxValue));
        yield return new TestCaseData("/join_guild?guild_id=3&guild_id=x", 200, "\nJoined guild 3\n", "join_guild", ("guild_id", (object)3L));
        yield return new TestCaseData("/join_guild", 400, "\nMissing guild ID\n", "join_guild", ("guild_id", (object)"missing"));
        foreach (var bad in new[] { "a", "0", "-1", "%2B1", "1.0", "", "%20", "9223372036854775808" })
        {
            yield return new TestCaseData($"/join_guild?guild_id={bad}", 400, "\nInvalid guild ID\n", "join_guild", ("guild_id", (object)"invalid"));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Get_AnswersAndRecordsTheEvent(string url, int status, string body, string eventType, (string Name, object Value)? field)
    {
        using var response = await _client.GetAsync(url);

        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(body));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; charset=utf-8"));
        var e = _log.Single();
        Assert.That(e.EventType, Is.EqualTo(eventType));
        Assert.That(e.Fields, Is.EqualTo(field is { } f ? new[] { new EventField(f.Name, f.Value) } : Array.Empty<EventField>()));
        Assert.That(e.Timestamp, Is.EqualTo(Now));
        Assert.That(e.EventId, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task Get_AcceptJson_StillPlainText()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_item?item=sword");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await _client.SendAsync(request);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("\nBought sword\n"));
    }

    [Test]
    public async Task Get_EachEventHasItsOwnId()
    {
        (await _client.GetAsync("/")).Dispose();
        (await _client.GetAsync("/")).Dispose();

        Assert.That(_log.Events.Select(e => e.EventId).Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public async Task Get_HeadersBecomeMetadata_CredentialsAndForgeriesDoNot()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_item?item=sword");
        request.Headers.TryAddWithoutValidation("User-Agent", "GameClient/1.0");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer secret");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic secret");
        request.Headers.TryAddWithoutValidation("Cookie", "session=secret");
        request.Headers.TryAddWithoutValidation("Event_Type", "forged");
        request.Headers.TryAddWithoutValidation("item", "forged");
        request.Headers.TryAddWithoutValidation("X-Tag", ["a", "b"]);
        // Secrets that a name alone does not give away (found by a review that read the topic back).
        request.Headers.TryAddWithoutValidation("X-Key", "secret-key");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Client", "Bearer secret-bearer");
        request.Headers.TryAddWithoutValidation("Referer", "https://player:secret-password@game.example/cb?access_token=secret-token&page=2");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "k-1");

        (await _client.SendAsync(request)).Dispose();

        var properties = _log.Single().Properties().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        Assert.That(properties["User-Agent"], Is.EqualTo("GameClient/1.0"));
        Assert.That(properties["X-Tag"], Is.EqualTo("a, b"));
        Assert.That(properties["Referer"], Is.EqualTo("https://player:REDACTED@game.example/cb?access_token=REDACTED&page=2"));
        Assert.That(properties["Idempotency-Key"], Is.EqualTo("k-1"), "a retry's key is recorded on purpose (docs/events.md)");
        Assert.That(properties["event_type"], Is.EqualTo("purchase_item"));
        Assert.That(properties["item"], Is.EqualTo("sword"));
        Assert.That(properties.Keys, Has.None.EqualTo("Authorization").IgnoreCase
            .And.None.EqualTo("Proxy-Authorization").IgnoreCase
            .And.None.EqualTo("Cookie").IgnoreCase
            .And.None.EqualTo("X-Key").IgnoreCase
            .And.None.EqualTo("X-Forwarded-Client").IgnoreCase
            .And.None.EqualTo("Event_Type"));
        Assert.That(properties.Values.OfType<string>(), Has.None.EqualTo("forged").And.None.Contains("secret"));
    }

    [Test]
    public async Task Get_EventNotRecorded_Answers503AndNeverSuccess()
    {
        _log.FailWith(new EventNotRecordedException("broker down"));

        using var response = await _client.GetAsync("/purchase_item?item=sword");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("could not be recorded"));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
    }

    [Test]
    public async Task Get_InvalidInputNotRecorded_Answers503NotTheValidationError()
    {
        _log.FailWith(new EventNotRecordedException("broker down"));

        using var response = await _client.GetAsync("/join_guild?guild_id=x");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    public async Task OtherMethods_Answer405AndRecordNothing(string method)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/purchase_item?item=sword"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(_log.Events, Is.Empty);
    }
}
