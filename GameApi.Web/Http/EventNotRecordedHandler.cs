using GameApi.Domain.Events;
using Microsoft.AspNetCore.Diagnostics;

namespace GameApi.Web.Http;

/// <summary>
/// An event that was not recorded means the action was not acknowledged: 503, so the client retries.
/// The adapter has already logged why.
/// </summary>
internal sealed class EventNotRecordedHandler : IExceptionHandler
{
    public const string Body = "\nThe event could not be recorded. Nothing was done; please retry.\n";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not EventNotRecordedException)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.ContentType = PlainText.ContentType;
        httpContext.Response.Headers.RetryAfter = "1";
        await httpContext.Response.WriteAsync(Body, cancellationToken);
        return true;
    }
}
