using GameApi.Domain.Guilds;

namespace GameApi.Tests.Domain.Guilds;

public class GuildIdTests
{
    [TestCase("1", 1L)]
    [TestCase("007", 7L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    [TestCase("0000000000000000000000000042", 42L)]
    public void TryCreate_PositiveAsciiDigits_Accepted(string text, long expected)
    {
        Assert.That(GuildId.TryCreate(text, out var id), Is.True);
        Assert.That(id!.Value, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("0")]
    [TestCase("000")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase("1.0")]
    [TestCase("1e3")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("a")]
    [TestCase("9223372036854775808")]
    [TestCase("18446744073709551616")]
    [TestCase("١٢")] // Arabic-Indic digits are digits, but not ASCII ones.
    [TestCase("0x10")]
    public void TryCreate_AnythingElse_Rejected(string text)
    {
        Assert.That(GuildId.TryCreate(text, out var id), Is.False);
        Assert.That(id, Is.Null);
    }

    [Test]
    public void TryCreate_Null_Rejected() => Assert.That(GuildId.TryCreate(null, out _), Is.False);
}
