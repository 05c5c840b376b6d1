using System.Diagnostics.Metrics;

namespace GameApi.Infrastructure.Spool;

/// <summary>What happened to each event, as OpenTelemetry metrics (served at /metrics).</summary>
public sealed class EventMetrics : IDisposable
{
    public const string MeterName = "GameApi.Events";

    private readonly Meter _meter;
    private readonly Counter<long> _acknowledged;
    private readonly Counter<long> _spooled;
    private readonly Counter<long> _relayed;
    private readonly Counter<long> _failed;

    public EventMetrics(IMeterFactory meters, EventSpool spool)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(spool);
        _meter = meters.Create(MeterName);
        _acknowledged = _meter.CreateCounter<long>("gameapi.events.acknowledged", "{event}", "Events Kafka acknowledged while the request waited");
        _spooled = _meter.CreateCounter<long>("gameapi.events.spooled", "{event}", "Events written to the local spool because Kafka did not acknowledge in time");
        _relayed = _meter.CreateCounter<long>("gameapi.events.relayed", "{event}", "Spooled events Kafka has since acknowledged");
        _failed = _meter.CreateCounter<long>("gameapi.events.failed", "{event}", "Events neither acknowledged nor spooled: answered 503");
        _meter.CreateObservableGauge("gameapi.spool.backlog", () => spool.Count, "{event}", "Events in the spool waiting for Kafka");
    }

    public void Acknowledged() => _acknowledged.Add(1);

    public void Spooled() => _spooled.Add(1);

    public void Relayed(int count) => _relayed.Add(count);

    public void Failed() => _failed.Add(1);

    public void Dispose() => _meter.Dispose();
}
