using System.Security.Cryptography;
using System.Text;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Keys clients send with a request so that a retry of it is answered, not processed again. A request
/// claims its key, is processed, then keeps its answer under the key, or releases the key when it has
/// no answer worth keeping (the event was not recorded, the client went away).
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>Claims the key for this request, or says what holds it.</summary>
    /// <exception cref="IdempotencyStoreException">The keys cannot be read; nothing may be processed.</exception>
    Task<IdempotencyClaim> ClaimAsync(IdempotentRequest request);

    /// <summary>Keeps the answer under the request's claimed key, durably, for the retention.</summary>
    /// <exception cref="IdempotencyStoreException">The answer could not be kept.</exception>
    Task KeepAsync(IdempotentRequest request, KeptAnswer answer);

    /// <summary>Frees the request's claimed key, so that a retry is processed.</summary>
    Task ReleaseAsync(IdempotentRequest request);

    /// <summary>Why keys cannot be used now (requests with one get 503), or null.</summary>
    string? Unavailable { get; }
}

/// <summary>
/// A request sent with a key: the key, what identifies the request, and this attempt (so that only the
/// attempt that claimed a key can keep an answer under it or release it).
/// </summary>
public sealed record IdempotentRequest(string Key, RequestFingerprint Fingerprint, Guid Attempt)
{
    public static IdempotentRequest New(string key, RequestFingerprint fingerprint) => new(key, fingerprint, Guid.NewGuid());

    /// <summary>
    /// The id of the action this request asks for: the same for every attempt with this key and
    /// fingerprint (a name-based UUID, version 8 of RFC 9562, from a SHA-256 of both).
    /// </summary>
    public Guid ActionId
    {
        get
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes($"{Key}\n{Fingerprint.Value}"), hash);
            hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
            hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // variant 10
            return new Guid(hash[..16], bigEndian: true);
        }
    }
}

/// <summary>What a request's first answer was: replayed as it was to every retry.</summary>
public sealed record KeptAnswer(int StatusCode, string ContentType, string Body);

public enum ClaimOutcome
{
    /// <summary>The key is this request's: process it.</summary>
    Claimed,

    /// <summary>The same request was answered: <see cref="IdempotencyClaim.Answer"/> is its answer.</summary>
    Replay,

    /// <summary>The same request holds the key and has not been answered yet.</summary>
    InFlight,

    /// <summary>The key belongs to another request (other method, path or query).</summary>
    OtherRequest,
}

public sealed record IdempotencyClaim(ClaimOutcome Outcome, KeptAnswer? Answer = null)
{
    public static IdempotencyClaim Claimed { get; } = new(ClaimOutcome.Claimed);

    public static IdempotencyClaim InFlight { get; } = new(ClaimOutcome.InFlight);

    public static IdempotencyClaim OtherRequest { get; } = new(ClaimOutcome.OtherRequest);

    public static IdempotencyClaim Replay(KeptAnswer answer) => new(ClaimOutcome.Replay, answer);
}
