using GameApi.Infrastructure.Idempotency;
using GameApi.Web.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace GameApi.Web.Idempotency;

/// <summary>
/// Makes a retried request safe on every action (the IETF httpapi draft "The Idempotency-Key HTTP
/// Header Field", Stripe's API): the first request with a key is processed and its answer kept; a
/// repeat gets that answer again, with <c>Idempotent-Replayed: true</c>, and records nothing. Requests
/// without the header pass untouched.
/// </summary>
internal sealed partial class IdempotencyFilter(IIdempotencyStore store, ILogger<IdempotencyFilter> logger) : IAsyncActionFilter
{
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    public const string InvalidKeyMessage = "Invalid Idempotency-Key";
    public const string InFlightMessage = "A request with this Idempotency-Key is still being processed. Retry once it has been answered.";
    public const string OtherRequestMessage = "This Idempotency-Key was used for another request (method, path or query). Use a new key for a new request.";
    public const string UnavailableMessage = "Idempotency keys cannot be checked now. Nothing was done; please retry.";

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.Headers.TryGetValue(IdempotencyKey.HeaderName, out var values))
        {
            await next();
            return;
        }

        if (!IdempotencyKey.TryParse(values, out var key))
        {
            context.Result = PlainText.BadRequest(InvalidKeyMessage);
            return;
        }

        var request = IdempotentRequest.New(key, RequestFingerprint.Of(http.Request.Method, http.Request.Path, http.Request.QueryString.Value ?? ""));
        IdempotencyClaim claim;
        try
        {
            claim = await store.ClaimAsync(request);
        }
        catch (IdempotencyStoreException e)
        {
            LogUnavailable(e.Message);
            context.Result = RetryLater(StatusCodes.Status503ServiceUnavailable, UnavailableMessage, http);
            return;
        }

        switch (claim.Outcome)
        {
            case ClaimOutcome.Replay:
                http.Response.Headers[ReplayedHeaderName] = "true";
                context.Result = new ContentResult { StatusCode = claim.Answer!.StatusCode, ContentType = claim.Answer.ContentType, Content = claim.Answer.Body };
                return;
            case ClaimOutcome.InFlight:
                context.Result = RetryLater(StatusCodes.Status409Conflict, InFlightMessage, http);
                return;
            case ClaimOutcome.OtherRequest:
                context.Result = PlainText.Result(StatusCodes.Status422UnprocessableEntity, $"\n{OtherRequestMessage}\n");
                return;
        }

        http.Features.Set(new IdempotentAction(request.ActionId));
        var executed = await next();
        await KeepOrReleaseAsync(request, executed);
    }

    private async Task KeepOrReleaseAsync(IdempotentRequest request, ActionExecutedContext executed)
    {
        try
        {
            // A 5xx (the event was not recorded) and an exception are not answers to keep: a retry may succeed.
            if (executed.Exception is null && executed.Result is ContentResult { StatusCode: < 500 } content)
            {
                await store.KeepAsync(request, new KeptAnswer(content.StatusCode.Value, content.ContentType ?? PlainText.ContentType, content.Content ?? ""));
            }
            else
            {
                await store.ReleaseAsync(request);
            }
        }
        catch (IdempotencyStoreException e)
        {
            // The action is done and its event recorded: it is answered. A retry is processed again,
            // and its event, with the same event_id, is counted once by the analytics.
            LogNotKept(request.Key, e.Message);
        }
    }

    private static ContentResult RetryLater(int statusCode, string message, HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return PlainText.Result(statusCode, $"\n{message}\n");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A request with an Idempotency-Key was refused (503): {Reason}")]
    private partial void LogUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The answer to the request with Idempotency-Key {Key} was not kept; a retry will be processed again: {Reason}")]
    private partial void LogNotKept(string key, string reason);
}
