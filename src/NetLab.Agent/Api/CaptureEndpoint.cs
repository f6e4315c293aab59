using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;

namespace NetLab.Agent.Api;

/// <summary>POST /v1/labs/{name}/captures: a packet capture as NDJSON, ended by the client closing the request.</summary>
internal static class CaptureEndpoint
{
    public static async Task CaptureAsync(string name, HttpContext context, ILabEngine engine, ConcurrencyLimits limits, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        CaptureRequest? request;
        try
        {
            request = await AgentJson.DeserializeAsync<CaptureRequest>(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            await AgentEndpoints.WriteErrorAsync(context, AgentErrors.BadRequest(
                $"The body is not a capture request: {error.Message} Send JSON {{\"element\": \"h1\", \"interface\": \"eth0\"}} (optional: \"snapLength\", \"maxFrames\").")).ConfigureAwait(false);
            return;
        }

        if (request is null)
        {
            await AgentEndpoints.WriteErrorAsync(context, AgentErrors.BadRequest("The body has no capture request: send JSON {\"element\": \"h1\", \"interface\": \"eth0\"}.")).ConfigureAwait(false);
            return;
        }

        // Held until the capture ends; one over the agent's or the lab's limit is answered 429 before anything is opened.
        using var slot = limits.StartCapture(name);

        // A capture lasts until its client leaves; it must not hold up the agent's shutdown either.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ending.Token;
        var items = engine.CaptureAsync(name, request, aborted).GetAsyncEnumerator(aborted);
        await using (items.ConfigureAwait(false))
        {
            // Started (the socket is bound) is awaited before the status line, so an unknown lab, element or interface
            // is an ordinary 404/400 answer.
            bool any;
            try
            {
                any = await items.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                await AgentEndpoints.WriteErrorAsync(context, AgentErrors.FromException(error)).ConfigureAwait(false);
                return;
            }

            AgentEndpoints.StartNdjson(context);
            await context.Response.StartAsync(aborted).ConfigureAwait(false);
            try
            {
                for (var more = any; more;)
                {
                    more = await AgentEndpoints.WriteLineAsync(context.Response, items.Current, items.MoveNextAsync(), aborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client ended the capture (or the agent stops): the normal end.
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Headers are gone: the error becomes the stream's last line, which the client reads as the capture's end.
                loggers.CreateLogger(typeof(CaptureEndpoint)).LogError(error, "The capture on lab {Lab} failed", name);
                var line = AgentJson.SerializeToUtf8Bytes(new CaptureStreamItem(Error: AgentErrors.FromException(error).Error));
                await context.Response.Body.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
