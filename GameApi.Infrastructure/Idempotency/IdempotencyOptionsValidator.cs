using GameApi.Infrastructure.Spool;
using GameApi.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Idempotency;

// The spool's path is read from the configuration as it is, not from IOptions<SpoolOptions>, whose Value would
// throw here when another Spool setting is wrong (reported on its own).
public sealed class IdempotencyOptionsValidator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<IdempotencyOptions>
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
            var spoolPath = configuration[$"{SpoolOptions.SectionName}:{nameof(SpoolOptions.Path)}"] ?? new SpoolOptions().Path;
            if (FileSetting.Problem(options.Path, environment.ContentRootPath) is { } problem)
            {
                failures.Add($"{prefix}{nameof(options.Path)} {problem}.");
            }
            else if (FileSetting.Problem(spoolPath, environment.ContentRootPath) is null
                && Path.GetFullPath(options.Path, environment.ContentRootPath) == Path.GetFullPath(spoolPath, environment.ContentRootPath))
            {
                // Each file belongs to one user (DurableSqlite.Claim): the second would be refused for the whole run.
                failures.Add($"{prefix}{nameof(options.Path)} must be another file than {SpoolOptions.SectionName}:{nameof(SpoolOptions.Path)} (both are '{options.Path}').");
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
