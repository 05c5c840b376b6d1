using GameApi.Infrastructure.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GameApi.Infrastructure.Spool;

public sealed class SpoolOptionsValidator(IHostEnvironment environment) : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = SpoolOptions.SectionName + ":";
        if (FileSetting.Problem(options.Path, environment.ContentRootPath) is { } problem)
        {
            failures.Add($"{prefix}{nameof(options.Path)} {problem}.");
        }

        if (options.MaxBytes < 4096)
        {
            failures.Add($"{prefix}{nameof(options.MaxBytes)} must be at least 4096 (got {options.MaxBytes}).");
        }

        if (options.KafkaWait < TimeSpan.FromMilliseconds(10) || options.KafkaWait > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{prefix}{nameof(options.KafkaWait)} must be between 00:00:00.010 and 00:00:30 (got {options.KafkaWait}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
