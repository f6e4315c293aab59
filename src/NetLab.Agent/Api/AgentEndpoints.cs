using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Labs;
using NetLab.Netlink.Diagnostics;

namespace NetLab.Agent.Api;

/// <summary>The agent's HTTP API (docs/agent-api.md). Every route calls the engine; none touches the kernel itself, except the doctor.</summary>
internal static class AgentEndpoints
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public static void Map(IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1");
        v1.MapGet("/labs", async (HttpContext context, ILabEngine engine) =>
            await WriteJsonAsync(context, StatusCodes.Status200OK, LabAccess.Visible(context, await engine.StateAsync(null, context.RequestAborted).ConfigureAwait(false))).ConfigureAwait(false));
        v1.MapGet("/labs/{name}", GetLabAsync);
        v1.MapPost("/validate", ValidateAsync);
        v1.MapPost("/plan", PlanAsync);
        v1.MapPost("/apply", ApplyAsync);
        v1.MapPost("/labs/{name}/destroy", DestroyAsync);
        v1.MapGet("/labs/{name}/events", EventsAsync);
        v1.MapPost("/labs/{name}/captures", CaptureEndpoint.CaptureAsync);
        v1.MapPost("/labs/{name}/probe", ProbeAsync);
        v1.MapPost("/labs/{name}/grade", GradeAsync);
        v1.MapGet("/doctor", DoctorAsync);
        // Routing answers a known path asked with another method 405 by itself, but only when nothing else matches: this
        // fallback matches every path and method, so it tells the two apart itself. It reads no body, so RequestLimits
        // lets its requests through unchecked (a DELETE says 405, not 415).
        // "{*path}", not MapFallback's default "{*path:nonfile}": a path that looks like a file (/index.html) is no route
        // either, and gets the same answer rather than an empty 404.
        routes.MapFallback("{*path}", UnknownRouteAsync).WithMetadata(ReadsNoBody.Instance);
    }

    private const string RouteList = "GET /v1/labs, GET /v1/labs/NAME, POST /v1/validate, POST /v1/plan, POST /v1/apply, POST /v1/labs/NAME/destroy, GET /v1/labs/NAME/events, POST /v1/labs/NAME/probe, POST /v1/labs/NAME/grade, POST /v1/labs/NAME/captures, GET /v1/doctor";

    private static Task UnknownRouteAsync(HttpContext context)
    {
        var request = context.Request;
        var allowed = AllowedMethods(context.RequestServices.GetRequiredService<EndpointDataSource>(), request.Path);
        if (allowed.Count == 0)
        {
            return WriteErrorAsync(context, new HttpAgentError(StatusCodes.Status404NotFound, new AgentError(
                AgentErrorCodes.NotFound,
                $"No route {request.Method} {request.Path}. The API is under /v1 (see docs/agent-api.md): {RouteList}.")));
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return WriteErrorAsync(context, new HttpAgentError(StatusCodes.Status405MethodNotAllowed, new AgentError(
            AgentErrorCodes.MethodNotAllowed,
            $"{request.Path} takes {string.Join(" or ", allowed)}, not {request.Method}. Nothing was changed. The routes (docs/agent-api.md): {RouteList}.")));
    }

    /// <summary>The methods the API's routes take on <paramref name="path"/> (none: no route has that path).</summary>
    internal static IReadOnlyList<string> AllowedMethods(EndpointDataSource endpoints, PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => Matches(e.RoutePattern, segments))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether a route of literal segments and whole-segment parameters ({name}) matches the path's segments.</summary>
    private static bool Matches(RoutePattern pattern, string[] segments) =>
        pattern.PathSegments.Count == segments.Length
        && pattern.PathSegments.Zip(segments).All(pair => pair.First.Parts is [var part] && part switch
        {
            RoutePatternLiteralPart literal => string.Equals(literal.Content, pair.Second, StringComparison.OrdinalIgnoreCase),
            RoutePatternParameterPart { IsCatchAll: false } => pair.Second.Length > 0,
            _ => false,
        });

    private static async Task GetLabAsync(string name, HttpContext context, ILabEngine engine)
    {
        var labs = await engine.StateAsync(name, context.RequestAborted).ConfigureAwait(false);
        var lab = labs.FirstOrDefault(l => l.Lab == name);
        await (lab is null
            ? WriteErrorAsync(context, AgentErrors.LabNotFound(name))
            : WriteJsonAsync(context, StatusCodes.Status200OK, lab)).ConfigureAwait(false);
    }

    private static async Task ValidateAsync(HttpContext context)
    {
        var lab = await ReadLabAsync(context).ConfigureAwait(false);
        if (lab is not null)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, new LabValidation(true, lab.Name)).ConfigureAwait(false);
        }
    }

    private static async Task PlanAsync(HttpContext context, ILabEngine engine)
    {
        var lab = await ReadLabAsync(context).ConfigureAwait(false);
        if (lab is not null && await LabAccess.MayPlanAsync(context, engine, lab.Name).ConfigureAwait(false))
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, await engine.PlanAsync(lab, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    private static async Task ApplyAsync(HttpContext context, ILabEngine engine)
    {
        var lab = await ReadLabAsync(context).ConfigureAwait(false);
        if (lab is not null && await LabAccess.MayApplyAsync(context, engine, lab.Name).ConfigureAwait(false))
        {
            // An apply runs to its end (or its rollback) even when the client goes away: a lab left half made
            // because a terminal was closed would be worse than a finished one nobody watched.
            await StreamOperationAsync(
                context,
                OperationStream.Run((progress, cancel) => engine.ApplyAsync(lab, progress, cancel), CancellationToken.None, context.RequestAborted)).ConfigureAwait(false);
        }
    }

    private static Task DestroyAsync(string name, HttpContext context, ILabEngine engine, LabOwners owners) =>
        StreamOperationAsync(
            context,
            OperationStream.Run(
                async (progress, cancel) =>
                {
                    var result = await engine.DestroyAsync(name, progress, cancel).ConfigureAwait(false);
                    // A lab destroyed is nobody's any more: its name is free for any user's next apply.
                    if (result.Succeeded)
                    {
                        owners.Release(name);
                    }

                    return result;
                },
                CancellationToken.None,
                context.RequestAborted));

    private static async Task EventsAsync(string name, HttpContext context, ILabEngine engine, ConcurrencyLimits limits, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        // Held as long as the stream is open; a stream over the limit is answered 429 before the engine is asked.
        using var slot = limits.StartEventStream();
        // A watcher must not hold up the agent's shutdown (Kestrel would wait for the request to end).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ending.Token;
        var labs = await engine.StateAsync(name, aborted).ConfigureAwait(false);
        if (!labs.Any(l => l.Lab == name))
        {
            await WriteErrorAsync(context, AgentErrors.LabNotFound(name)).ConfigureAwait(false);
            return;
        }

        var events = engine.EventsAsync(name, aborted).GetAsyncEnumerator(aborted);
        await using (events.ConfigureAwait(false))
        {
            // The first event (a snapshot) is awaited before the status is sent, so a failure to subscribe is an
            // ordinary error answer rather than a broken stream.
            bool any;
            try
            {
                any = await events.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return;
            }

            StartNdjson(context);
            await context.Response.StartAsync(aborted).ConfigureAwait(false);
            try
            {
                for (var more = any; more;)
                {
                    more = await WriteLineAsync(context.Response, events.Current, events.MoveNextAsync(), aborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client left, or the agent stops: the normal ends of an event stream.
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Headers are gone; breaking the connection is the only way left to tell the client the stream failed.
                loggers.CreateLogger(typeof(AgentEndpoints)).LogError(error, "The event stream of lab {Lab} failed", name);
                context.Abort();
            }
        }
    }

    private static async Task ProbeAsync(string name, HttpContext context, ILabEngine engine, ConcurrencyLimits limits)
    {
        ProbeRequest request;
        try
        {
            // An empty body means the defaults (a 1 s timeout).
            request = context.Request.ContentLength is 0
                ? new ProbeRequest()
                : await AgentJson.DeserializeAsync<ProbeRequest>(context.Request.Body, context.RequestAborted).ConfigureAwait(false) ?? new ProbeRequest();
        }
        catch (JsonException error)
        {
            await WriteErrorAsync(context, AgentErrors.BadRequest($"The body is not a probe request: {error.Message} Send JSON {{\"timeoutMilliseconds\": 1000}}, or no body for the defaults.")).ConfigureAwait(false);
            return;
        }

        // A second check of the same lab is refused (429) rather than queued behind the first on the lab's lock. An
        // unknown lab (404), a bad timeout (400) or a kernel failure (500) is answered by AgentHost's error middleware.
        using var slot = limits.StartProbe(name);
        var report = await engine.ProbeAsync(name, request, context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, StatusCodes.Status200OK, report).ConfigureAwait(false);
    }

    private static async Task GradeAsync(string name, HttpContext context, ILabEngine engine, ConcurrencyLimits limits)
    {
        GradeRequest? request;
        try
        {
            request = await AgentJson.DeserializeAsync<GradeRequest>(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            await WriteErrorAsync(context, AgentErrors.BadRequest($"The body is not a grade request: {error.Message} {GradeRequestShape}")).ConfigureAwait(false);
            return;
        }

        if (request?.Lab?.Text is null || request.Checks?.Text is null)
        {
            await WriteErrorAsync(context, AgentErrors.BadRequest($"The body has no lab or no checks. {GradeRequestShape}")).ConfigureAwait(false);
            return;
        }

        if (await ReadLabAsync(context, request.Lab).ConfigureAwait(false) is not { } lab)
        {
            return;
        }

        if (lab.Name != name)
        {
            await WriteErrorAsync(context, AgentErrors.BadRequest($"The lab in the body is named '{lab.Name}', the route names '{name}': grade the lab under its own name. Nothing was probed.")).ConfigureAwait(false);
            return;
        }

        // A checks file names its lab by the lab file's own name (CheckGenerator writes it so); a lab sent under a
        // kernel name of the web's (LabDocument.Name) is still that file's lab for its checks.
        var checksLab = request.Lab.Name is null ? lab : lab with { Name = LabDocuments.FileNameOf(request.Lab) ?? lab.Name };
        var checks = NetLab.Core.Grading.ChecksFormat.LoadAndValidate(request.Checks.Text, LabDocuments.FormatOf(request.Checks.Format), checksLab);
        if (!checks.Succeeded)
        {
            await WriteErrorAsync(context, AgentErrors.InvalidChecks([.. checks.Problems.Select(checks.Locate)])).ConfigureAwait(false);
            return;
        }

        // A grade is a connectivity check: one per lab at a time, as POST .../probe.
        using var slot = limits.StartProbe(name);
        var report = await engine.GradeAsync(lab, checks.Document!.Checks, new ProbeRequest(request.TimeoutMilliseconds), context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, StatusCodes.Status200OK, GradeView.Of(name, report)).ConfigureAwait(false);
    }

    private const string GradeRequestShape = "Send JSON {\"lab\": {\"text\": \"<the lab file>\", \"format\": \"yaml\"}, \"checks\": {\"text\": \"<the checks file>\", \"format\": \"yaml\"}, \"timeoutMilliseconds\": 1000} (docs/agent-api.md).";

    private static async Task DoctorAsync(HttpContext context, ConcurrencyLimits limits)
    {
        using var slot = limits.StartDoctor();
        // KernelDoctor blocks (it creates and removes links one by one): keep it off the request's thread.
        var checks = await Task.Run(() => KernelDoctor.Run(), context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, StatusCodes.Status200OK, new DoctorReport(KernelRelease(), checks)).ConfigureAwait(false);
    }

    /// <summary>The valid lab of the request's LabDocument body, or null after answering 400/422.</summary>
    private static async Task<Lab?> ReadLabAsync(HttpContext context)
    {
        LabDocument? document;
        try
        {
            document = await AgentJson.DeserializeAsync<LabDocument>(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            await WriteErrorAsync(context, AgentErrors.BadRequest(
                $"The body is not a lab document: {error.Message} Send JSON {{\"text\": \"<the lab file's text>\", \"format\": \"yaml\"}} (format \"yaml\" or \"json\").")).ConfigureAwait(false);
            return null;
        }

        if (document?.Text is null)
        {
            await WriteErrorAsync(context, AgentErrors.BadRequest(
                "The body has no lab: send JSON {\"text\": \"<the lab file's text>\", \"format\": \"yaml\"} (format \"yaml\" or \"json\").")).ConfigureAwait(false);
            return null;
        }

        return await ReadLabAsync(context, document).ConfigureAwait(false);
    }

    /// <summary>The valid lab of <paramref name="document"/>, or null after answering 400/422.</summary>
    private static async Task<Lab?> ReadLabAsync(HttpContext context, LabDocument document)
    {
        try
        {
            return LabDocuments.Read(document);
        }
        catch (Exception error) when (error is NetLab.Core.Validation.InvalidLabException or ArgumentException)
        {
            await WriteErrorAsync(context, AgentErrors.FromException(error)).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Sends an apply/destroy stream. The first item is awaited before the status goes out, so an engine that fails
    /// at once (an invalid lab, say) gets an ordinary error answer; later failures are the stream's error line.
    /// </summary>
    private static async Task StreamOperationAsync(HttpContext context, IAsyncEnumerable<ApplyStreamItem> stream)
    {
        var aborted = context.RequestAborted;
        var items = stream.GetAsyncEnumerator(aborted);
        await using (items.ConfigureAwait(false))
        {
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false))
                {
                    return;
                }

                if (items.Current.Error is { } error)
                {
                    await WriteErrorAsync(context, new HttpAgentError(AgentErrors.StatusOf(error.Code), error)).ConfigureAwait(false);
                    return;
                }

                StartNdjson(context);
                bool more;
                do
                {
                    more = await WriteLineAsync(context.Response, items.Current, items.MoveNextAsync(), aborted).ConfigureAwait(false);
                }
                while (more);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client left; the operation itself goes on (see ApplyAsync).
            }
        }
    }

    internal static void StartNdjson(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = AgentJson.NdjsonMediaType;
        // Proxies (and curl -N users) should see each line as it is written.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>
    /// Writes one line, and flushes only when the next item is not ready yet: every line still reaches the client as
    /// soon as nothing follows it, but a burst (an apply's thousand operations) goes out in a few writes, not one each.
    /// Returns whether there is a next item.
    /// </summary>
    internal static async Task<bool> WriteLineAsync<T>(HttpResponse response, T item, ValueTask<bool> next, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(AgentJson.SerializeToUtf8Bytes(item), cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        if (!next.IsCompleted)
        {
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var more = await next.ConfigureAwait(false);
        if (!more)
        {
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return more;
    }

    internal static Task WriteJsonAsync<T>(HttpContext context, int statusCode, T value)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(value, AgentJson.TypeInfo<T>(), contentType: "application/json", context.RequestAborted);
    }

    internal static Task WriteErrorAsync(HttpContext context, HttpAgentError error) =>
        WriteJsonAsync(context, error.StatusCode, error.Error);

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>Marks an endpoint that answers without reading the request's body (the fallback): RequestLimits does not check it.</summary>
internal sealed class ReadsNoBody
{
    public static ReadsNoBody Instance { get; } = new();
}
