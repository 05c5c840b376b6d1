using GameApi.Infrastructure.Idempotency;

namespace GameApi.Tests.Infrastructure.Idempotency;

public class IdempotencyOptionsValidatorTests
{
    private static string? Failure(IdempotencyOptions options) => new IdempotencyOptionsValidator().Validate(null, options).FailureMessage;

    [Test]
    public void Validate_Defaults_Succeed() =>
        Assert.That(new IdempotencyOptionsValidator().Validate(null, new IdempotencyOptions()).Succeeded, Is.True);

    [TestCase("00:00:59")]
    [TestCase("366.00:00:00")]
    [TestCase("-01:00:00")]
    public void Validate_RetentionOutOfRange_NamesTheKey(string retention) =>
        Assert.That(Failure(new IdempotencyOptions { Retention = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture) }), Does.Contain("Idempotency:Retention"));

    [TestCase(0)]
    [TestCase(-5)]
    public void Validate_NoRoom_NamesTheKey(long maxKeys) =>
        Assert.That(Failure(new IdempotencyOptions { MaxKeys = maxKeys }), Does.Contain("Idempotency:MaxKeys"));

    [Test]
    public void Validate_NoPath_NamesTheKey() =>
        Assert.That(Failure(new IdempotencyOptions { Path = " " }), Does.Contain("Idempotency:Path"));

    [TestCase("redis:6379,password=hunter2,colour=blue")]
    [TestCase("password=hunter2")]
    public void Validate_BadRedisConnectionString_NamesTheKeyWithoutThePassword(string redis)
    {
        var failure = Failure(new IdempotencyOptions { Redis = redis });

        Assert.That(failure, Does.Contain("Idempotency:Redis"));
        Assert.That(failure, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void Validate_RedisSet_FileSettingsNotChecked() =>
        Assert.That(Failure(new IdempotencyOptions { Redis = "redis:6379,password=x", Path = "", MaxKeys = 0 }), Is.Null);
}
