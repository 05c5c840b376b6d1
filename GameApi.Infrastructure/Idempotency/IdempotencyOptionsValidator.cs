using Microsoft.Extensions.Options;

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
        else if (RedisConfiguration.Problem(options.Redis) is { } problem)
        {
            failures.Add($"{prefix}{nameof(options.Redis)} {problem}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
