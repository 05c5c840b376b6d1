using System.Net;
using System.Text;
using GameApi.Domain.Events;
using GameApi.Infrastructure.Idempotency;
using GameApi.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace GameApi.Tests.Web;

/// <summary>
/// Idempotency-Key on every endpoint, on real Kestrel (its header parsing is part of what a client
/// meets), with the event logger mocked and the keys in the API's own SQLite file.
/// </summary>
public class IdempotencyTests
{
    private const string Key = "Idempotency-Key";
    private const string Replayed = "Idempotent-Replayed";
    private readonly RecordingEventLogger _log = new();
    private GameApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        _factory = new GameApiFactory(services: s => s.AddSingleton(_log.Mock.Object));
        _factory.UseKestrel(0);
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Header values go out as raw UTF-8, as a careless client would send them.
        _client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = new Uri(address) };
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [SetUp]
    public void ResetLog() => _log.Reset();

    private static string NewKey() => Guid.NewGuid().ToString();

    private Task<HttpResponseMessage> GetAsync(string url, params string[] keys)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var key in keys)
        {
            request.Headers.TryAddWithoutValidation(Key, key);
        }

        return _client.SendAsync(request);
    }

    private static async Task<(int Status, string Body, bool Replayed)> AnswerAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Contains(Replayed));
    }

    private static IEnumerable<TestCaseData> Endpoints()
    {
        yield return new TestCaseData("/", 200, "\nThis is the default response\n");
        yield return new TestCaseData("/purchase_a_sword", 200, "\nSword Purchased!\n");
        yield return new TestCaseData("/purchase_item?item=sword", 200, "\nBought sword\n");
        yield return new TestCaseData("/purchase_item?item=shield", 400, "\nInvalid item\n");
        yield return new TestCaseData("/join_guild?guild_id=1", 200, "\nJoined guild 1\n");
        yield return new TestCaseData("/join_guild", 400, "\nMissing guild ID\n");
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task Repeat_SameKeyAndRequest_KeptAnswerReplayedAndNoNewEvent(string url, int status, string body)
    {
        var key = NewKey();

        var first = await AnswerAsync(GetAsync(url, key));
        var second = await AnswerAsync(GetAsync(url, key));
        var third = await AnswerAsync(GetAsync(url, key));

        Assert.That(first, Is.EqualTo((status, body, false)));
        Assert.That(second, Is.EqualTo((status, body, true)));
        Assert.That(third, Is.EqualTo((status, body, true)));
        Assert.That(_log.Events, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Replay_HeaderAndContentType()
    {
        var key = NewKey();
        (await GetAsync("/purchase_item?item=sword", key)).Dispose();

        using var replay = await GetAsync("/purchase_item?item=sword", key);

        Assert.That(replay.Headers.GetValues(Replayed), Is.EqualTo(new[] { "true" }));
        Assert.That(replay.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; charset=utf-8"));
        Assert.That(replay.Headers.CacheControl!.NoStore, Is.True);
    }

    [Test]
    public async Task First_EventIdDerivedFromKeyAndRequest()
    {
        var key = NewKey();

        (await GetAsync("/purchase_item?item=sword", key)).Dispose();

        var expected = IdempotentRequest.New(key, RequestFingerprint.Of("GET", "/purchase_item", "?item=sword")).ActionId;
        Assert.That(_log.Single().EventId, Is.EqualTo(expected));
    }

    [TestCase("/purchase_item?item=knife")]
    [TestCase("/purchase_item?item=sword&x=1")]
    [TestCase("/join_guild?guild_id=1")]
    [TestCase("/PURCHASE_ITEM?item=sword")]
    public async Task SameKey_AnotherRequest_422AndNothingRecorded(string other)
    {
        var key = NewKey();
        (await GetAsync("/purchase_item?item=sword", key)).Dispose();
        _log.Events.Clear();

        var answer = await AnswerAsync(GetAsync(other, key));

        Assert.That(answer.Status, Is.EqualTo(422));
        Assert.That(answer.Body, Is.EqualTo("\nThis Idempotency-Key was used for another request (method, path or query). Use a new key for a new request.\n"));
        Assert.That(_log.Events, Is.Empty);
    }

    [Test]
    public async Task SameKey_WhileTheFirstIsInFlight_409AndNothingRecorded()
    {
        var key = NewKey();
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        _log.Mock.Setup(l => l.LogAsync(It.IsAny<GameEvent>(), It.IsAny<CancellationToken>()))
            .Callback<GameEvent, CancellationToken>((e, _) => { _log.Events.Add(e); entered.TrySetResult(); })
            .Returns(release.Task);
        var first = AnswerAsync(GetAsync("/purchase_item?item=sword", key));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var second = await GetAsync("/purchase_item?item=sword", key);
        var other = await AnswerAsync(GetAsync("/purchase_item?item=knife", key));
        release.SetResult();

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo("\nA request with this Idempotency-Key is still being processed. Retry once it has been answered.\n"));
        Assert.That(second.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(other.Status, Is.EqualTo(422), "another request with a key in flight");
        Assert.That(await first, Is.EqualTo((200, "\nBought sword\n", false)));
        Assert.That(_log.Events, Has.Count.EqualTo(1));
        Assert.That(await AnswerAsync(GetAsync("/purchase_item?item=sword", key)), Is.EqualTo((200, "\nBought sword\n", true)));
    }

    [Test]
    public async Task FiftyConcurrent_OneKey_ExactlyOneEvent()
    {
        var key = NewKey();
        // The first request's event stays in flight (Kafka not yet acknowledging) until every other request
        // is answered: each of them arrives while it is, whatever this machine's speed.
        var acknowledge = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _log.Mock.Setup(l => l.LogAsync(It.IsAny<GameEvent>(), It.IsAny<CancellationToken>()))
            .Callback<GameEvent, CancellationToken>((e, _) => { lock (_log.Events) { _log.Events.Add(e); } })
            .Returns(() => acknowledge.Task);

        var requests = Enumerable.Range(0, 50).Select(_ => Task.Run(() => AnswerAsync(GetAsync("/purchase_item?item=sword", key)))).ToList();
        for (var wait = System.Diagnostics.Stopwatch.StartNew(); requests.Count(r => r.IsCompleted) < 49 && wait.Elapsed < TimeSpan.FromSeconds(30);)
        {
            await Task.Delay(20);
        }

        var answeredInFlight = requests.Count(r => r.IsCompleted);
        acknowledge.SetResult();
        var answers = await Task.WhenAll(requests);

        Assert.That(answeredInFlight, Is.EqualTo(49), "every other request answered while the first was in flight");
        Assert.That(_log.Events, Has.Count.EqualTo(1));
        Assert.That(answers.Count(a => a is { Status: 200, Replayed: false }), Is.EqualTo(1), "processed once");
        Assert.That(answers.Count(a => a.Status == 409), Is.EqualTo(49), "the others: in flight, retry later");
    }

    [Test]
    public async Task First503_NotKept_RetryProcessedWithTheSameEventId()
    {
        var key = NewKey();
        var attempts = new List<GameEvent>();
        _log.Mock.SetupSequence(l => l.LogAsync(It.IsAny<GameEvent>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EventNotRecordedException("Kafka and the spool both refused it"))
            .Returns(Task.CompletedTask);
        _log.Mock.Invocations.Clear();

        var failed = await AnswerAsync(GetAsync("/join_guild?guild_id=5", key));
        var retried = await AnswerAsync(GetAsync("/join_guild?guild_id=5", key));
        var replayed = await AnswerAsync(GetAsync("/join_guild?guild_id=5", key));

        attempts.AddRange(_log.Mock.Invocations.Select(i => (GameEvent)i.Arguments[0]));
        Assert.That(failed.Status, Is.EqualTo(503));
        Assert.That(retried, Is.EqualTo((200, "\nJoined guild 5\n", false)));
        Assert.That(replayed, Is.EqualTo((200, "\nJoined guild 5\n", true)));
        Assert.That(attempts, Has.Count.EqualTo(2));
        Assert.That(attempts[1].EventId, Is.EqualTo(attempts[0].EventId), "an event that was recorded after all is counted once");
    }

    private static IEnumerable<TestCaseData> InvalidKeys()
    {
        yield return new TestCaseData((object)new[] { "" }).SetName("Invalid_Empty");
        yield return new TestCaseData((object)new[] { new string('k', 256) }).SetName("Invalid_256Characters");
        yield return new TestCaseData((object)new[] { "a b" }).SetName("Invalid_Space");
        yield return new TestCaseData((object)new[] { "a\tb" }).SetName("Invalid_Tab");
        yield return new TestCaseData((object)new[] { "a", "b" }).SetName("Invalid_TwoHeaders");
        yield return new TestCaseData((object)new[] { "a,b", "c" }).SetName("Invalid_TwoHeadersOneWithAComma");
    }

    [TestCaseSource(nameof(InvalidKeys))]
    public async Task InvalidKey_400AndNothingRecorded(string[] keys)
    {
        var answer = await AnswerAsync(GetAsync("/purchase_item?item=sword", keys));

        Assert.That(answer, Is.EqualTo((400, "\nInvalid Idempotency-Key\n", false)));
        Assert.That(_log.Events, Is.Empty);
    }

    [Test]
    public async Task InvalidKey_NonAscii_400AndNothingRecorded()
    {
        // Kestrel refuses header bytes outside ASCII itself (400, empty body), before the API sees them.
        var answer = await AnswerAsync(GetAsync("/purchase_item?item=sword", "clé"));

        Assert.That(answer.Status, Is.EqualTo(400));
        Assert.That(_log.Events, Is.Empty);
    }

    [TestCase("k")]
    [TestCase("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"")] // the IETF draft's form: a quoted string, taken as sent
    [TestCase("~!#$%&'()*+,-./:;<=>?@[\\]^_`{|}")]
    public async Task ValidKey_Processed(string key)
    {
        var unique = key + Guid.NewGuid().ToString("N")[..8];

        var answer = await AnswerAsync(GetAsync("/purchase_item?item=sword", unique));

        Assert.That(answer, Is.EqualTo((200, "\nBought sword\n", false)));
        Assert.That(_log.Events, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ValidKey_255Characters_Processed()
    {
        var key = NewKey() + new string('k', 255 - 36);

        Assert.That((await AnswerAsync(GetAsync("/", key))).Status, Is.EqualTo(200));
        Assert.That((await AnswerAsync(GetAsync("/", key))).Replayed, Is.True);
    }

    [Test]
    public async Task NoKey_EveryRequestProcessedAndNothingReplayed()
    {
        var first = await AnswerAsync(GetAsync("/purchase_item?item=sword"));
        var second = await AnswerAsync(GetAsync("/purchase_item?item=sword"));

        Assert.That(first, Is.EqualTo((200, "\nBought sword\n", false)));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(_log.Events, Has.Count.EqualTo(2));
        Assert.That(_log.Events[1].EventId, Is.Not.EqualTo(_log.Events[0].EventId));
    }

    [TestCase("/")]
    [TestCase("/purchase_item?item=nope")]
    [TestCase("/join_guild?guild_id=2")]
    [TestCase("/no-such-page")]
    [TestCase("/health/ready")]
    [TestCase("/swagger/v1/swagger.json")]
    public async Task Get_AnyAnswer_NoStore(string url)
    {
        using var response = await GetAsync(url);

        Assert.That(response.Headers.CacheControl?.NoStore, Is.True, url);
    }

    [Test]
    public async Task Get_503_NoStore()
    {
        _log.FailWith(new EventNotRecordedException("down"));

        using var response = await GetAsync("/purchase_item?item=sword", NewKey());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
    }
}
