namespace GameApi.Infrastructure.Idempotency;

/// <summary>The keys cannot be read or written (Redis unreachable, the SQLite file unwritable).</summary>
public sealed class IdempotencyStoreException : Exception
{
    public IdempotencyStoreException()
    {
    }

    public IdempotencyStoreException(string message)
        : base(message)
    {
    }

    public IdempotencyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
