namespace GameApi.Infrastructure.Spool;

/// <summary>
/// The local durable spool that takes events Kafka does not acknowledge in time. Bound from "Spool".
/// </summary>
public sealed class SpoolOptions
{
    public const string SectionName = "Spool";

    /// <summary>The SQLite file; relative paths are under the content root.</summary>
    public string Path { get; set; } = "spool/events.db";

    /// <summary>Largest total size of spooled events; past it requests get 503.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>How long a request waits for Kafka's acknowledgement before its event goes to the spool.</summary>
    public TimeSpan KafkaWait { get; set; } = TimeSpan.FromMilliseconds(500);
}
