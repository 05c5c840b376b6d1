using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GameApi.Web.Http;

/// <summary>
/// Marks text query parameters allowEmptyValue. An empty value ("?item=") is an answer of its own
/// (<see cref="KeepEmptyStrings"/>: Invalid, not Missing), and without the mark Swagger UI cannot send
/// one: "Try it out" with an empty field leaves the parameter out.
/// </summary>
internal sealed class AllowEmptyQueryValues : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter is { In: ParameterLocation.Query, Schema.Type: JsonSchemaType.String })
            {
                parameter.AllowEmptyValue = true;
            }
        }
    }
}
