using System.Diagnostics.Metrics;
using GameApi.Infrastructure.Spool;

namespace GameApi.Infrastructure.Delivery;

/// <summary>What happened to each event, as OpenTelemetry metrics (served at /metrics).</summary>
public sealed class EventMetrics : IDisposable
{
    public const string MeterName = "GameApi.Events";

    // Seconds, from 1 ms (an acknowledgement on a quiet broker) to 10 s (past any Spool:KafkaWait).
    private static readonly InstrumentAdvice<double> Durations = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly Meter _meter;
    private readonly Counter<long> _acknowledged;
    private readonly Counter<long> _spooled;
    private readonly Counter<long> _relayed;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _acknowledgement;
    private readonly Histogram<double> _spoolAppend;
    private long _embeddedDropped;

    public EventMetrics(IMeterFactory meters, EventSpool spool, OutageLog outage)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(outage);
        _meter = meters.Create(MeterName);
        _acknowledged = _meter.CreateCounter<long>("gameapi.events.acknowledged", "{event}", "Events Kafka acknowledged while the request waited");
        _spooled = _meter.CreateCounter<long>("gameapi.events.spooled", "{event}", "Events written to the local spool because Kafka did not acknowledge in time");
        _relayed = _meter.CreateCounter<long>("gameapi.events.relayed", "{event}", "Spooled events Kafka has since acknowledged");
        _failed = _meter.CreateCounter<long>("gameapi.events.failed", "{event}", "Events neither acknowledged nor spooled: answered 503");
        _acknowledgement = _meter.CreateHistogram("gameapi.kafka.acknowledgement.duration", "s",
            "Time from the request handing its event to Kafka until Kafka acknowledged it, for events acknowledged while the request waited",
            tags: null, advice: Durations);
        _spoolAppend = _meter.CreateHistogram("gameapi.spool.append.duration", "s",
            "Time to write an event to the spool and sync it to disk", tags: null, advice: Durations);
        _meter.CreateObservableGauge("gameapi.spool.backlog", () => spool.Count, "{event}", "Events in the spool waiting for Kafka");
        _meter.CreateObservableGauge("gameapi.embedded_broker.dropped", () => Volatile.Read(ref _embeddedDropped), "{event}",
            "Events the embedded broker has dropped from its topic since it started (it keeps 5 MiB per partition); 0 with a Kafka cluster");
        _meter.CreateObservableGauge("gameapi.kafka.outage", () => outage.InOutage ? 1 : 0, "{outage}", "1 while Kafka does not acknowledge in time and events go to the spool, else 0");
    }

    public void Acknowledged(TimeSpan elapsed)
    {
        _acknowledged.Add(1);
        _acknowledgement.Record(elapsed.TotalSeconds);
    }

    public void Spooled(TimeSpan appendTime)
    {
        _spooled.Add(1);
        _spoolAppend.Record(appendTime.TotalSeconds);
    }

    public void Relayed(int count) => _relayed.Add(count);

    public void Failed() => _failed.Add(1);

    /// <summary>How many events the embedded broker has dropped so far, as its partitions' earliest offsets say.</summary>
    public void EmbeddedDropped(long total) => Volatile.Write(ref _embeddedDropped, total);

    public void Dispose() => _meter.Dispose();
}
