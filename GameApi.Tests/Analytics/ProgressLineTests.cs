using GameApi.Analytics.Cli;

namespace GameApi.Tests.Analytics;

public class ProgressLineTests
{
    [Test]
    public void Start_OnATerminal_DrawsAndClearsTheLine()
    {
        using var stderr = new StringWriter();

        using (var progress = ProgressLine.Start(stderr, enabled: true))
        {
            progress!.Bytes(200 * 1048576).Report(50 * 1048576);
        }

        Assert.That(stderr.ToString(), Does.StartWith("\rreading: 50 of 200 MiB (25%)").And.EndWith("\r\u001b[K"));
    }

    [Test]
    public void Bytes_SmallInput_InTenthsOfAMib()
    {
        using var stderr = new StringWriter();

        using (var progress = ProgressLine.Start(stderr, enabled: true))
        {
            progress!.Bytes(382_000).Report(191_000);
        }

        Assert.That(stderr.ToString(), Does.StartWith("\rreading: 0.2 of 0.4 MiB (50%)"));
    }

    [Test]
    public void Start_NotATerminal_WritesNothing()
    {
        using var stderr = new StringWriter();

        Assert.That(ProgressLine.Start(stderr, enabled: false), Is.Null);
        Assert.That(stderr.ToString(), Is.Empty);
    }
}
