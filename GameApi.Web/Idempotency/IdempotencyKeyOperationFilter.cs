using GameApi.Web.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GameApi.Web.Idempotency;

/// <summary>Documents the <c>Idempotency-Key</c> header and its answers on every action, as <see cref="IdempotencyFilter"/> applies it.</summary>
internal sealed class IdempotencyKeyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyKey.HeaderName,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retry safe: send the same key (a UUID, say) with every retry of one action. "
                + "The first request is processed and its answer kept for the retention (24 hours by default); "
                + $"a repeat gets that answer again, with the header {IdempotencyFilter.ReplayedHeaderName}: true, and records no event. "
                + "A 503 is not kept: retry it with the same key. 1 to 255 visible ASCII characters.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKey.MaxLength, Pattern = "^[!-~]+$" },
        });

        operation.Responses ??= [];
        var invalidKey = $"\"\\n{IdempotencyFilter.InvalidKeyMessage}\\n\" for an Idempotency-Key that is empty, longer than 255 characters, repeated, or has other than visible ASCII characters; nothing is recorded.";
        if (operation.Responses.TryGetValue("400", out var badRequest) && badRequest is OpenApiResponse documented)
        {
            documented.Description += $" Also {invalidKey}";
        }
        else
        {
            operation.Responses["400"] = PlainTextResponse($"Body: {invalidKey}");
        }

        operation.Responses["409"] = PlainTextResponse($"A request with the same Idempotency-Key is still being processed; nothing is recorded. Retry after it is answered (Retry-After: 1). Body: \"\\n{IdempotencyFilter.InFlightMessage}\\n\".");
        operation.Responses["422"] = PlainTextResponse($"The Idempotency-Key was used for another request (another method, path or query); nothing is recorded. Body: \"\\n{IdempotencyFilter.OtherRequestMessage}\\n\".");
        if (operation.Responses.TryGetValue("503", out var unavailable) && unavailable is OpenApiResponse described)
        {
            described.Description += $" With an Idempotency-Key, also when the keys cannot be checked: \"\\n{IdempotencyFilter.UnavailableMessage}\\n\".";
        }

        // A kept answer is a 2xx or 4xx; a 409 or 503 asks for a retry a second later.
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse answer)
            {
                continue;
            }

            if (status is "409" or "503")
            {
                Header(answer, "Retry-After", JsonSchemaType.Integer, "Seconds to wait before retrying: 1.");
            }
            else if (status is not "422")
            {
                Header(answer, IdempotencyFilter.ReplayedHeaderName, JsonSchemaType.String,
                    "\"true\" when this is the kept answer to an earlier request with the same Idempotency-Key (nothing was recorded this time); absent otherwise.");
            }
        }
    }

    private static void Header(OpenApiResponse response, string name, JsonSchemaType type, string description)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    private static OpenApiResponse PlainTextResponse(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [PlainText.ContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
        },
    };
}
