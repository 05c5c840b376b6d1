namespace GameApi.Web.Http;

internal static class NoStore
{
    /// <summary>
    /// <c>Cache-Control: no-store</c> on every answer to GET and HEAD: each GET here is an action, so no
    /// proxy, browser or prefetcher may keep its answer and serve or replay it. Set as the answer
    /// starts, so error answers carry it too.
    /// </summary>
    public static IApplicationBuilder UseNoStore(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.OnStarting(static state =>
                {
                    ((HttpResponse)state).Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                }, context.Response);
            }

            return next(context);
        });
}
