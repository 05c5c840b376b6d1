using Confluent.Kafka;
using GameApi.Infrastructure.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace GameApi.Tests.Infrastructure.Kafka;

public class ErrorThrottleTests
{
    private readonly FakeTimeProvider _time = new();
    private ErrorThrottle _throttle = null!;

    [SetUp]
    public void SetUp() => _throttle = new ErrorThrottle(_time, TimeSpan.FromSeconds(60));

    [Test]
    public void ShouldLog_RepeatsWithinTheWindow_HeldBackAndCountedInTheNextLine()
    {
        Assert.That(_throttle.ShouldLog(ErrorCode.Local_Transport, out var first), Is.True);
        Assert.That(first, Is.Zero);

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            Assert.That(_throttle.ShouldLog(ErrorCode.Local_Transport, out _), Is.False, $"repeat {i}");
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(_throttle.ShouldLog(ErrorCode.Local_Transport, out var heldBack), Is.True);
        Assert.That(heldBack, Is.EqualTo(5));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.That(_throttle.ShouldLog(ErrorCode.Local_Transport, out heldBack), Is.True);
        Assert.That(heldBack, Is.Zero);
    }

    [Test]
    public void ShouldLog_OtherCode_LoggedAtOnce()
    {
        Assert.That(_throttle.ShouldLog(ErrorCode.Local_Transport, out _), Is.True);
        Assert.That(_throttle.ShouldLog(ErrorCode.Local_AllBrokersDown, out _), Is.True);
        Assert.That(_throttle.ShouldLog(ErrorCode.Local_Transport, out _), Is.False);
    }
}
