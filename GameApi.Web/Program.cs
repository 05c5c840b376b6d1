using GameApi.Domain;
using GameApi.Infrastructure;
using GameApi.Infrastructure.Settings;
using GameApi.Web;
using GameApi.Web.Http;

// Everything, the reading of appsettings.json included, runs inside the try: a failure exits with a status
// and one line instead of an unhandled exception, which aborts the process (exit 134, a core dump where
// enabled) after a stack trace.

// Kept apart from the app, whose Lifetime asks the service provider, disposed once the host has ended.
IHostApplicationLifetime? lifetime = null;
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Services.AddDomain().AddInfrastructure().AddWeb();
    StopDuringStart.HideHostReport(builder.Logging, () => lifetime);

    var app = builder.Build();
    lifetime = app.Lifetime;
    if (SettingsCheck.Problems(app.Services) is { Count: > 0 } problems)
    {
        // Each problem on a line of its own, all of them at once, and no stack trace: they are the operator's to fix.
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"GameApi could not run: {problem}");
        }

        return 1;
    }

    app.UseNoStore();
    app.UseExceptionHandler();
    app.UseSwagger();
    app.UseSwaggerUI(options => options.SwaggerEndpoint("/swagger/v1/swagger.json", "GameApi v1"));
    app.MapControllers();
    app.MapOperations();

    StopDuringStart.Announce(lifetime, app.Logger);
    app.Run();
    return 0;
}
catch (OperationCanceledException) when (StopDuringStart.Happened(lifetime))
{
    // SIGTERM or Ctrl+C before the API listened: the start was cancelled, and said so. A stop's exit.
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    // A failure once the host runs has been logged by it too, with its stack trace.
    Console.Error.WriteLine($"GameApi could not run: {StartFailure.Describe(e)}");
    return 1;
}
