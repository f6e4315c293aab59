using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NetLab.Web.Hosting;

/// <summary>
/// The largest request body the web takes, answered 413 with the limit in words before anything reads the body.
/// Kestrel's own default (30 MB) is far above anything the dashboard sends and answered without saying why. Added
/// as a startup filter, so it runs first, ahead of the exception handler and the antiforgery check that read forms.
/// </summary>
internal sealed class RequestSizeLimit : IStartupFilter
{
    /// <summary>
    /// Room for the largest thing the browser sends over HTTP: a circuit message (a pasted lab) of up to
    /// <see cref="WebServices.MaximumCircuitMessageBytes"/> when SignalR falls back to long polling, with room to spare.
    /// Files (run imports) travel over the circuit, not as request bodies; they have their own limit.
    /// </summary>
    public const long MaxBodyBytes = 2 * WebServices.MaximumCircuitMessageBytes;

    public static void AddTo(IServiceCollection services)
    {
        // A chunked body has no length to check first: Kestrel stops it at the same limit.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);
        services.AddTransient<IStartupFilter, RequestSizeLimit>();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(RefuseTooLargeAsync);
        next(app);
    };

    private static async Task RefuseTooLargeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.ContentLength is { } length && length > MaxBodyBytes)
        {
            await AnswerAsync(context, $"The request body is {length} bytes").ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await AnswerAsync(context, "The request body is longer than that").ConfigureAwait(false);
        }
    }

    private static Task AnswerAsync(HttpContext context, string what)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        // The rest of the body is not read: the connection cannot be reused.
        context.Response.Headers.Connection = "close";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(
            $"{what}; the NetLab web takes request bodies of at most {MaxBodyBytes} bytes (8 MiB), and lab files of at most 1 MiB. Nothing was changed.\n",
            context.RequestAborted);
    }
}
