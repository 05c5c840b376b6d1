using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GameApi.Infrastructure.Idempotency;

public sealed class IdempotencyOptionsValidator : IValidateOptions<IdempotencyOptions>
{
    public ValidateOptionsResult Validate(string? name, IdempotencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = IdempotencyOptions.SectionName + ":";
        if (options.Retention < TimeSpan.FromMinutes(1) || options.Retention > TimeSpan.FromDays(365))
        {
            failures.Add($"{prefix}{nameof(options.Retention)} must be between 00:01:00 and 365.00:00:00 (got {options.Retention}).");
        }

        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            if (string.IsNullOrWhiteSpace(options.Path))
            {
                failures.Add($"{prefix}{nameof(options.Path)} must name a file.");
            }

            if (options.MaxKeys < 1)
            {
                failures.Add($"{prefix}{nameof(options.MaxKeys)} must be at least 1 (got {options.MaxKeys}).");
            }
        }
        else
        {
            try
            {
                if (ConfigurationOptions.Parse(options.Redis).EndPoints.Count == 0)
                {
                    failures.Add($"{prefix}{nameof(options.Redis)} names no Redis server (host:port).");
                }
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                // The value is not echoed: a connection string may carry a password.
                failures.Add($"{prefix}{nameof(options.Redis)} is not a StackExchange.Redis connection string: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
