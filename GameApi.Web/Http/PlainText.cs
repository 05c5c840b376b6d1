using Microsoft.AspNetCore.Mvc;

namespace GameApi.Web.Http;

/// <summary>The API answers in plain text, whatever the client accepts, as the original did.</summary>
internal static class PlainText
{
    public const string ContentType = "text/plain; charset=utf-8";

    public static ContentResult Result(int statusCode, string body) =>
        new() { StatusCode = statusCode, Content = body, ContentType = ContentType };

    public static ContentResult Ok(string message) => Result(StatusCodes.Status200OK, $"\n{message}\n");

    public static ContentResult BadRequest(string message) => Result(StatusCodes.Status400BadRequest, $"\n{message}\n");
}
