using System.Diagnostics;
using GameApi.Analytics.Events;

namespace GameApi.Analytics.Cli;

/// <summary>A progress line on stderr, only when stderr is a terminal, redrawn at most four times a second.</summary>
public sealed class ProgressLine : IReadProgress
{
    private readonly TextWriter _stderr;
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _lastDraw = -1000;
    private bool _drawn;

    private ProgressLine(TextWriter stderr) => _stderr = stderr;

    public static ProgressLine? Start(TextWriter stderr, bool enabled) => enabled ? new ProgressLine(stderr) : null;

    public IProgress<long> Bytes(long total) =>
        new Reporter(this, done => $"reading: {Mib(done, total)} of {Mib(total, total)} MiB ({(total == 0 ? 100 : 100.0 * done / total):0}%)");

    // Whole MiB for a large input; tenths under 10 MiB, where whole ones read "0 of 0 MiB".
    private static string Mib(long bytes, long total) => (bytes / 1048576.0).ToString(total < 10 * 1048576 ? "0.0" : "0", System.Globalization.CultureInfo.InvariantCulture);

    public IProgress<long> Events() => new Reporter(this, done => $"reading: {done:N0} events");

    private void Draw(string text)
    {
        lock (_gate)
        {
            if (_since.ElapsedMilliseconds - _lastDraw < 250)
            {
                return;
            }

            _lastDraw = _since.ElapsedMilliseconds;
            _stderr.Write($"\r{text}   ");
            _drawn = true;
        }
    }

    public void Dispose()
    {
        if (_drawn)
        {
            _stderr.Write("\r\u001b[K");
        }
    }

    private sealed class Reporter(ProgressLine line, Func<long, string> text) : IProgress<long>
    {
        public void Report(long value) => line.Draw(text(value));
    }
}
