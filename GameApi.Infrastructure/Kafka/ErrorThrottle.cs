using Confluent.Kafka;

namespace GameApi.Infrastructure.Kafka;

/// <summary>
/// Decides which of librdkafka's error reports are worth a log line. While a broker is unreachable it
/// reports every failed connection attempt, several a second; the outage log tells that story already,
/// so each error code gets a line at most once per window, saying how many were held back.
/// </summary>
public sealed class ErrorThrottle(TimeProvider time, TimeSpan window)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ErrorCode, (DateTimeOffset Logged, int HeldBack)> _codes = [];

    /// <summary>True when this report should be logged; then <paramref name="heldBack"/> counts the reports of the same code not logged since the last line.</summary>
    public bool ShouldLog(ErrorCode code, out int heldBack)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_codes.TryGetValue(code, out var last) && now - last.Logged < window)
            {
                _codes[code] = last with { HeldBack = last.HeldBack + 1 };
                heldBack = 0;
                return false;
            }

            heldBack = last.HeldBack;
            _codes[code] = (now, 0);
            return true;
        }
    }
}
