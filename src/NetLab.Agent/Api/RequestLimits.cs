using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;

namespace NetLab.Agent.Api;

/// <summary>
/// What every request must be before an endpoint reads it: a POST carries JSON (415 otherwise) of at most
/// <see cref="MaxBodyBytes"/> (413 otherwise). Requiring <c>application/json</c> also on bodyless POSTs (destroy,
/// probe) is what keeps web pages out: a browser sends a cross-site POST without asking first only as text/plain,
/// a form encoding or with no body at all, and asks (CORS preflight, which the agent never grants) for JSON.
/// </summary>
internal static class RequestLimits
{
    /// <summary>
    /// The largest request body. A lab text may be 1 MiB (<see cref="LabFormat.MaxDocumentBytes"/>); JSON-escaped in a
    /// LabDocument it grows at most sixfold (a control character becomes \u0001), so 8 MiB takes every lab that can be valid.
    /// </summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<ReadsNoBody>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!IsJson(request.ContentType))
        {
            await AgentEndpoints.WriteErrorAsync(context, UnsupportedMediaType(request)).ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await AgentEndpoints.WriteErrorAsync(context, TooLarge($"The body is {request.ContentLength} bytes")).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>413 for a body over <see cref="MaxBodyBytes"/>; Kestrel stops a longer chunked body with the same answer.</summary>
    public static HttpAgentError TooLarge(string what) => new(
        StatusCodes.Status413PayloadTooLarge,
        new AgentError(
            AgentErrorCodes.TooLarge,
            $"{what}; a request body may be at most {MaxBodyBytes} bytes (8 MiB), and a lab text at most {LabFormat.MaxDocumentBytes} bytes (1 MiB). Nothing was changed. Send a smaller lab (see docs/agent-api.md, Limits)."));

    /// <summary>application/json, optionally with charset utf-8 (the only encoding the API reads).</summary>
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (!mediaType.Charset.HasValue || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static HttpAgentError UnsupportedMediaType(HttpRequest request) => new(
        StatusCodes.Status415UnsupportedMediaType,
        new AgentError(
            AgentErrorCodes.UnsupportedMediaType,
            $"{request.Method} {request.Path} was sent as {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{request.ContentType}'")}; "
            + "the agent takes only Content-Type: application/json (UTF-8), also for a POST without a body. Nothing was changed. "
            + "With curl: -H 'Content-Type: application/json'."));
}
