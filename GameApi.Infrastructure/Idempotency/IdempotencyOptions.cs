namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Where the answers to requests sent with an <c>Idempotency-Key</c> are kept, and for how long.
/// Bound from "Idempotency".
/// </summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "Idempotency";

    /// <summary>How long a key's answer is replayed; past it the key is forgotten.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The SQLite file of the single-machine store; relative paths are under the content root. Beside the
    /// spool by default: the one folder of durable state a deployment keeps on a volume.
    /// </summary>
    public string Path { get; set; } = "spool/idempotency-keys.db";

    /// <summary>
    /// Most keys the single-machine store holds; past it the oldest are evicted, those past retention first.
    /// </summary>
    public long MaxKeys { get; set; } = 1_000_000;

    /// <summary>A StackExchange.Redis connection string: keys shared by every instance. Empty: the SQLite file.</summary>
    public string? Redis { get; set; }
}
