using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Opens the idempotency store at start, before Kestrel listens: the file store reads every kept key
/// into memory, which the first request with a key must not wait for. Says where the keys are.
/// </summary>
public sealed partial class IdempotencyStartup(IIdempotencyStore store, ILogger<IdempotencyStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        switch (store)
        {
            case SqliteIdempotencyStore file when file.Error is { } error:
                LogUnavailable(error);
                break;
            case SqliteIdempotencyStore file:
                LogFile(file.Path, file.Count);
                break;
            case RedisIdempotencyStore redis:
                LogRedis(redis.Endpoints);
                break;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency keys in {Path} (answers kept: {Count})")]
    private partial void LogFile(string path, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency keys in Redis at {Endpoints}, shared by every instance using it")]
    private partial void LogRedis(string endpoints);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason} Requests with an Idempotency-Key get 503 until it can be opened; restart once it can")]
    private partial void LogUnavailable(string reason);
}
