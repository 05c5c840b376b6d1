using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Idempotency;

/// <summary>
/// Opens the idempotency store at start, before Kestrel listens: the file store reads every kept key
/// into memory, which the first request with a key must not wait for. Says where the keys are, and for
/// how long answers are replayed: .NET reads "24:00:00" and "30" as days, which only this line shows.
/// </summary>
public sealed partial class IdempotencyStartup(IIdempotencyStore store, IOptions<IdempotencyOptions> options, ILogger<IdempotencyStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        switch (store)
        {
            case SqliteIdempotencyStore file when file.Error is { } error:
                LogUnavailable(error);
                break;
            case SqliteIdempotencyStore file:
                LogFile(file.Path, file.Count, options.Value.Retention);
                if (file.Forgotten > 0)
                {
                    LogForgotten(file.Forgotten);
                }

                break;
            case RedisIdempotencyStore redis:
                LogRedis(redis.Endpoints, options.Value.Retention);
                break;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency keys in {Path} (answers kept: {Count}), each answer replayed for {Retention} (Idempotency:Retention, [d.]hh:mm:ss)")]
    private partial void LogFile(string path, long count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forgot the {Count} Idempotency-Key answers an earlier run kept: their events were on the embedded broker, "
        + "which keeps events in memory only, and are gone. A retry of one is processed again, with the same event_id")]
    private partial void LogForgotten(long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency keys in Redis at {Endpoints}, shared by every instance using it, each answer replayed for {Retention} (Idempotency:Retention, [d.]hh:mm:ss)")]
    private partial void LogRedis(string endpoints, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason} Requests with an Idempotency-Key get 503 until it can be opened; restart once it can")]
    private partial void LogUnavailable(string reason);
}
