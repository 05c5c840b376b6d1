using System.Text.Json;
using System.Text.RegularExpressions;
using GameApi.Analytics.Spark.Protocol;
using Google.Rpc;
using Grpc.Core;

namespace GameApi.Analytics.Spark;

/// <summary>
/// A Spark error as one line for the user; for a syntax error, Spark's statement with a caret under the
/// place follows on lines of its own. Every Spark error arrives as INTERNAL with an ErrorInfo
/// (sql/connect/server/.../utils/ErrorUtils.scala): reason = the exception class, metadata
/// <c>classes</c> (3.5 and 4.x) and, from 4.0, <c>errorClass</c>, <c>sqlState</c> and <c>errorId</c>.
/// 4.x messages already end with " SQLSTATE: xxxxx" (SPARK-45595), so the state is added only when absent.
/// The status message is cut at 2048 characters; with an <c>errorId</c> the whole message is fetched.
/// </summary>
internal static partial class SparkError
{
    public static string From(RpcException error, Func<string, FetchErrorDetailsResponse?> fetchDetails)
    {
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>();
        var metadata = info?.Metadata;
        var message = error.Status.Detail;
        if (metadata?.GetValueOrDefault("errorId") is { Length: > 0 } errorId
            && fetchDetails(errorId) is { RootErrorIdx: var root, Errors: { Count: > 0 } errors } && root >= 0 && root < errors.Count)
        {
            message = errors[root].Message;
        }

        // ParseException.getMessage (sql/api/.../catalyst/parser/parsers.scala) starts with a newline and ends
        // "(line l, pos p)" with no space before it, then a blank line and "== SQL ==" with the statement.
        var statement = "";
        message = message.Trim();
        var block = message.IndexOf("\n\n== SQL ==\n", StringComparison.Ordinal);
        if (block >= 0)
        {
            statement = message[(block + 2)..].TrimEnd();
            message = message[..block].TrimEnd();
        }

        message = LinePosition().Replace(message, " (line $1, pos $2)");

        var errorClass = metadata?.GetValueOrDefault("errorClass");
        if (errorClass is not null && !message.Contains(errorClass, StringComparison.Ordinal))
        {
            message += $" [{errorClass}]";
        }

        if (metadata?.GetValueOrDefault("sqlState") is { } sqlState && !message.Contains("SQLSTATE", StringComparison.Ordinal))
        {
            message += $" (SQLSTATE {sqlState})";
        }

        var reason = info?.Reason is { Length: > 0 } r ? r : FirstClass(metadata?.GetValueOrDefault("classes"));
        var line = reason is null || message.Contains(reason, StringComparison.Ordinal) ? message : $"{message} ({reason})";
        return statement.Length == 0 ? line : $"{line}\n{statement}";
    }

    [GeneratedRegex(@"(?<=\S)\(line (\d+), pos (\d+)\)$")]
    private static partial Regex LinePosition();

    /// <summary>
    /// The error class (<c>INVALID_HANDLE.SESSION_CLOSED</c>): from the ErrorInfo on 4.x, else from the
    /// message, which starts with it in brackets on 3.5 too.
    /// </summary>
    public static string? ErrorClass(RpcException error)
    {
        if (error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Metadata.GetValueOrDefault("errorClass") is { Length: > 0 } errorClass)
        {
            return errorClass;
        }

        var message = error.Status.Detail ?? "";
        var end = message.IndexOf(']', StringComparison.Ordinal);
        return message.StartsWith('[') && end > 1 ? message[1..end] : null;
    }

    // 3.5 names the exception only through "classes", a JSON array of its class and superclasses.
    private static string? FirstClass(string? classes)
    {
        if (classes is null)
        {
            return null;
        }

        try
        {
            using var names = JsonDocument.Parse(classes);
            return names.RootElement is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() > 0 ? array[0].GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
