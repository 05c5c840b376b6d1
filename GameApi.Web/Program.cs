using GameApi.Domain;
using GameApi.Infrastructure;
using GameApi.Web;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDomain().AddInfrastructure().AddWeb();

var app = builder.Build();
app.UseExceptionHandler();
app.UseSwagger();
app.UseSwaggerUI(options => options.SwaggerEndpoint("/swagger/v1/swagger.json", "GameApi v1"));
app.MapControllers();
app.MapOperations();
app.Run();
