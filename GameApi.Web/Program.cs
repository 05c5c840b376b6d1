using GameApi.Domain;
using GameApi.Infrastructure;
using GameApi.Web;
using GameApi.Web.Http;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDomain().AddInfrastructure().AddWeb();

var app = builder.Build();
app.UseNoStore();
app.UseExceptionHandler();
app.UseSwagger();
app.UseSwaggerUI(options => options.SwaggerEndpoint("/swagger/v1/swagger.json", "GameApi v1"));
app.MapControllers();
app.MapOperations();

try
{
    app.Run();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    // The host has logged the failure with its stack trace. Exit with a status and one line instead of an
    // unhandled exception, which aborts the process (exit 134, a core dump where enabled).
    Console.Error.WriteLine($"GameApi could not run: {e.Message}");
    return 1;
}
