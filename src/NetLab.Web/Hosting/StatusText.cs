using Microsoft.AspNetCore.Diagnostics;

namespace NetLab.Web.Hosting;

/// <summary>
/// The body of an error answer that has none: a 404 for a page or file that is not there said nothing before, so a
/// mistyped or crafted address (`/../../etc/passwd`, `/labs/99/export`) got an empty page. Answers that carry their own
/// text (413, the origin check's 403, an export's 404) keep it: status code pages only fill an empty body.
/// </summary>
internal static class StatusText
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var request = context.HttpContext.Request;
        if (request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            // A script of the JSON API reads every refusal as {"error", "message"}, also the ones no route wrote.
            return Api.ApiAnswers.WriteStatusAsync(context.HttpContext);
        }

        response.ContentType = "text/plain; charset=utf-8";
        var text = response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => $"Sign in first: {request.Path} answers signed-in users only. Sign in at /account/signin (a browser keeps the cookie).",
            StatusCodes.Status404NotFound => $"There is no page or file at {request.Path}. The labs are at /.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}.",
            _ => $"The web answered {response.StatusCode} to {request.Method} {request.Path}.",
        };
        return response.WriteAsync(text + "\n", context.HttpContext.RequestAborted);
    }
}
