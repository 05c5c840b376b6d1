using System.Net;
using GameApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace GameApi.Tests.Web;

public class SwaggerAndHealthTests
{
    private readonly RecordingEventLogger _log = new();
    private GameApiFactory _factory = null!;
    private HttpClient _client = null!;
    private JObject _document = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _factory = new GameApiFactory(services: s => s.AddSingleton(_log.Mock.Object));
        _client = _factory.CreateClient();
        _document = JObject.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    // They answered every method with 200, TRACE and DELETE included.
    [Test]
    public async Task OperationsEndpoints_OtherMethods_Answer405WithAllow(
        [Values("/health/live", "/health/ready", "/metrics")] string path,
        [Values("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")] string method)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "GET", "HEAD" }));
    }

    [Test]
    public async Task OperationsEndpoints_GetAndHead_Answer(
        [Values("/health/live", "/health/ready", "/metrics")] string path,
        [Values("GET", "HEAD")] string method)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.MethodNotAllowed).And.Not.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("/", "200,400,409,422,503")]
    [TestCase("/purchase_a_sword", "200,400,409,422,503")]
    [TestCase("/purchase_item", "200,400,409,422,503")]
    [TestCase("/join_guild", "200,400,409,422,503")]
    public void Document_ListsEveryResponseWithADescription(string path, string statuses)
    {
        var get = _document["paths"]![path]!["get"]!;
        var responses = (JObject)get["responses"]!;

        Assert.That(get["summary"]!.Value<string>(), Is.Not.Empty);
        Assert.That(responses.Properties().Select(p => p.Name).Order(), Is.EqualTo(statuses.Split(',')));
        Assert.That(responses.Properties().Select(p => p.Value["description"]!.Value<string>()), Has.All.Not.Empty);
    }

    [TestCase("/purchase_item", "item", "Bought sword")]
    [TestCase("/join_guild", "guild_id", "Joined guild 1")]
    public void Document_DescribesTheParameterAndTheBodies(string path, string parameter, string body)
    {
        var get = _document["paths"]![path]!["get"]!;
        var query = ((JArray)get["parameters"]!).Single(p => p["in"]!.Value<string>() == "query");

        Assert.That(query["name"]!.Value<string>(), Is.EqualTo(parameter));
        Assert.That(query["description"]!.Value<string>(), Is.Not.Empty);
        Assert.That(get["responses"]!["200"]!["description"]!.Value<string>(), Does.Contain(body));
    }

    // The 400 descriptions promise an answer for an empty value, which Swagger UI sends only for a
    // parameter marked allowEmptyValue (its "Send empty value" box); unmarked, it sent none: "Missing item".
    [TestCase("/purchase_item")]
    [TestCase("/join_guild")]
    public void Document_QueryParameterAllowsAnEmptyValue(string path)
    {
        var query = ((JArray)_document["paths"]![path]!["get"]!["parameters"]!).Single(p => p["in"]!.Value<string>() == "query");

        Assert.That(query["allowEmptyValue"]?.Value<bool>(), Is.True);
    }

    [TestCase("/")]
    [TestCase("/purchase_a_sword")]
    [TestCase("/purchase_item")]
    [TestCase("/join_guild")]
    public void Document_IdempotencyKeyHeaderAndItsAnswers(string path)
    {
        var get = _document["paths"]![path]!["get"]!;
        var header = ((JArray)get["parameters"]!).Single(p => p["in"]!.Value<string>() == "header");

        Assert.That(header["name"]!.Value<string>(), Is.EqualTo("Idempotency-Key"));
        Assert.That(header["required"]?.Value<bool>() ?? false, Is.False);
        Assert.That(header["schema"]!["maxLength"]!.Value<int>(), Is.EqualTo(255));
        Assert.That(header["description"]!.Value<string>(), Does.Contain("Idempotent-Replayed: true"));
        Assert.That(get["responses"]!["400"]!["description"]!.Value<string>(), Does.Contain("Invalid Idempotency-Key"));
        Assert.That(get["responses"]!["409"]!["description"]!.Value<string>(), Does.Contain("still being processed"));
        Assert.That(get["responses"]!["422"]!["description"]!.Value<string>(), Does.Contain("another request"));
        Assert.That(get["responses"]!["503"]!["description"]!.Value<string>(), Does.Contain("keys cannot be checked"));
        Assert.That(get["responses"]!["200"]!["headers"]?["Idempotent-Replayed"], Is.Not.Null);
        Assert.That(get["responses"]!["400"]!["headers"]?["Idempotent-Replayed"], Is.Not.Null);
        Assert.That(get["responses"]!["409"]!["headers"]?["Retry-After"], Is.Not.Null);
        Assert.That(get["responses"]!["503"]!["headers"]?["Retry-After"], Is.Not.Null);
        Assert.That(get["responses"]!["422"]!["headers"], Is.Null);
    }

    [Test]
    public void Document_MarksTheOldSwordEndpointDeprecated() =>
        Assert.That(_document["paths"]!["/purchase_a_sword"]!["get"]!["deprecated"]!.Value<bool>(), Is.True);

    [Test]
    public async Task SwaggerUi_IsServed()
    {
        using var response = await _client.GetAsync("/swagger/index.html");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("swagger-ui"));
    }

    [Test]
    public async Task Live_Healthy()
    {
        using var response = await _client.GetAsync("/health/live");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        Assert.That(_log.Events, Is.Empty, "health checks are not player actions");
    }

    [Test]
    public async Task Ready_BrokerUp_HealthyWithEachCheckAndTheBacklog()
    {
        using var response = await _client.GetAsync("/health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var report = JObject.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(report["status"]!.Value<string>(), Is.EqualTo("Healthy"));
        Assert.That(report["checks"]!["kafka"]!["status"]!.Value<string>(), Is.EqualTo("Healthy"));
        Assert.That(report["checks"]!["spool"]!["data"]!["backlog"]!.Value<long>(), Is.EqualTo(0));
    }

    [Test]
    public async Task Metrics_PrometheusTextWithTheSpoolBacklog()
    {
        using var response = await _client.GetAsync("/metrics");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("gameapi_spool_backlog"));
    }
}
