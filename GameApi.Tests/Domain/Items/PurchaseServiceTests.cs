using GameApi.Domain.Events;
using GameApi.Domain.Items;
using GameApi.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Domain.Items;

public class PurchaseServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private readonly RecordingEventLogger _log = new();
    private PurchaseService _service = null!;

    [SetUp]
    public void SetUp()
    {
        _log.Reset();
        _service = new PurchaseService(_log.Mock.Object, new GameEventFactory(new FakeTimeProvider(Now)));
    }

    [TestCase("sword", PurchaseOutcome.Bought, "sword")]
    [TestCase("knife", PurchaseOutcome.Bought, "knife")]
    [TestCase(null, PurchaseOutcome.Missing, "missing")]
    [TestCase("", PurchaseOutcome.Invalid, "invalid")]
    [TestCase("shield", PurchaseOutcome.Invalid, "invalid")]
    public async Task PurchaseItemAsync_RecordsEveryAttempt(string? item, PurchaseOutcome outcome, string recorded)
    {
        var result = await _service.PurchaseItemAsync(item, ClientMetadata.Empty, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(outcome));
        var e = _log.Single();
        Assert.That(e.EventType, Is.EqualTo("purchase_item"));
        Assert.That(e.Fields, Is.EqualTo(new[] { new EventField("item", recorded) }));
        Assert.That(e.Timestamp, Is.EqualTo(Now));
    }

    [Test]
    public async Task PurchaseSwordAsync_RecordsPurchaseSwordWithoutFields()
    {
        await _service.PurchaseSwordAsync(ClientMetadata.Empty, CancellationToken.None);

        var e = _log.Single();
        Assert.That(e.EventType, Is.EqualTo("purchase_sword"));
        Assert.That(e.Fields, Is.Empty);
    }

    [Test]
    public void PurchaseItemAsync_LoggerFails_ExceptionReachesCaller()
    {
        _log.FailWith(new EventNotRecordedException("down"));

        Assert.ThrowsAsync<EventNotRecordedException>(() =>
            _service.PurchaseItemAsync("sword", ClientMetadata.Empty, CancellationToken.None));
    }
}
