using GameApi.Infrastructure.Idempotency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;

namespace GameApi.Tests.Infrastructure.Idempotency;

public class IdempotencyOptionsValidatorTests
{
    private static string? Failure(IdempotencyOptions options, string spoolPath = "spool/events.db") =>
        Validator(spoolPath).Validate(null, options).FailureMessage;

    private static IdempotencyOptionsValidator Validator(string spoolPath = "spool/events.db") =>
        new(new HostingEnvironment { ContentRootPath = Path.GetTempPath() },
            new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>("Spool:Path", spoolPath)]).Build());

    [Test]
    public void Validate_Defaults_Succeed() =>
        Assert.That(Validator().Validate(null, new IdempotencyOptions()).Succeeded, Is.True);

    [TestCase("00:00:59")]
    [TestCase("366.00:00:00")]
    [TestCase("-01:00:00")]
    public void Validate_RetentionOutOfRange_NamesTheKey(string retention) =>
        Assert.That(Failure(new IdempotencyOptions { Retention = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture) }), Does.Contain("Idempotency:Retention"));

    [TestCase(0)]
    [TestCase(-5)]
    public void Validate_NoRoom_NamesTheKey(long maxKeys) =>
        Assert.That(Failure(new IdempotencyOptions { MaxKeys = maxKeys }), Does.Contain("Idempotency:MaxKeys"));

    [TestCase(" ")]
    [TestCase("/")]
    [TestCase("spool/")]
    public void Validate_NoFile_NamesTheKey(string path) =>
        Assert.That(Failure(new IdempotencyOptions { Path = path }), Does.Contain("Idempotency:Path must name a file"));

    // Both files are claimed by their first user: the keys would be refused for the whole run.
    [TestCase("spool/events.db")]
    [TestCase("./spool/../spool/events.db")]
    public void Validate_TheSpoolsFile_Refused(string path) =>
        Assert.That(Failure(new IdempotencyOptions { Path = path }, spoolPath: "spool/events.db"), Does.Contain("Idempotency:Path must be another file than Spool:Path"));

    [TestCase("redis:6379,password=hunter2,colour=blue")]
    [TestCase("password=hunter2")]
    public void Validate_BadRedisConnectionString_NamesTheKeyWithoutThePassword(string redis)
    {
        var failure = Failure(new IdempotencyOptions { Redis = redis });

        Assert.That(failure, Does.Contain("Idempotency:Redis"));
        Assert.That(failure, Does.Not.Contain("hunter2"));
    }

    // StackExchange.Redis reads a URL, or the rest of a password after a comma, as a host name, and host
    // names are logged and shown by readiness; the library's own message repeats an option's value.
    [TestCase("redis://:S3cr3t-pw@127.0.0.1:6401", "not a URL")]
    [TestCase("rediss://alice:S3cr3t-pw@redis.example:6380/0", "not a URL")]
    [TestCase("alice:S3cr3t-pw@127.0.0.1:6401", "neither an option")]
    [TestCase("127.0.0.1:6401,password=ab,S3cr3t-pw", "a password cannot contain a comma")]
    [TestCase("127.0.0.1:6401,password=ab,S3cr3t-pw=x", "part 3")]
    [TestCase("127.0.0.1:6401,connectTimeout=S3cr3t-pw", "part 2")]
    public void Validate_RedisValueThatWouldShowASecret_RefusedNamingTheFormWithoutTheValue(string redis, string reason)
    {
        var failure = Failure(new IdempotencyOptions { Redis = redis });

        Assert.That(failure, Does.StartWith("Idempotency:Redis ").And.Contain(reason).And.Contain("host:6379,password=..."));
        Assert.That(failure, Does.Not.Contain("S3cr3t"));
    }

    [TestCase("redis:6379,password=S3cr3t-pw")]
    [TestCase("redis,ssl=true,user=alice,password=S3cr3t-pw")]
    [TestCase("[::1]:6379,10.0.0.2:6380,password=S3cr3t-pw,connectTimeout=500")]
    public void Validate_RedisConfigurationString_Succeeds(string redis) =>
        Assert.That(Failure(new IdempotencyOptions { Redis = redis }), Is.Null);

    [Test]
    public void Validate_RedisSet_FileSettingsNotChecked() =>
        Assert.That(Failure(new IdempotencyOptions { Redis = "redis:6379,password=x", Path = "", MaxKeys = 0 }), Is.Null);
}
