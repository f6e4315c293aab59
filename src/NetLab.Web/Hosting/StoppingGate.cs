namespace NetLab.Web.Hosting;

/// <summary>
/// A web that is stopping takes no new request, and never waits long for the ones it has. On a stop (SIGTERM, or its
/// launcher gone, see <see cref="LauncherWatcher"/>) SignalR closes the circuits it has at once, but the server goes on
/// accepting until it stops listening, and a browser whose circuit was just closed reconnects at once: that new circuit
/// nobody closes, and the host waited for it to the end of its shutdown timeout (30 s by default; the fault tests saw a
/// web outlive its killed launcher by that long, with a dashboard open). Requests arriving once the stop has begun are
/// answered 503 (the browser's reconnect then finds the web gone), and the host waits at most
/// <see cref="ShutdownTimeout"/> for what is still open. Added as a startup filter, so it runs first.
/// </summary>
internal sealed class StoppingGate(IHostApplicationLifetime lifetime) : IStartupFilter
{
    /// <summary>How long a stop waits for requests still running (a run's recorder and the store need far less).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    public static void AddTo(IServiceCollection services)
    {
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        services.AddTransient<IStartupFilter, StoppingGate>();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, then) => RefuseWhileStoppingAsync(lifetime.ApplicationStopping, context, then));
        next(app);
    };

    /// <summary>The gate itself: <paramref name="stopping"/> is the host's ApplicationStopping.</summary>
    internal static async Task RefuseWhileStoppingAsync(CancellationToken stopping, HttpContext context, RequestDelegate next)
    {
        if (stopping.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("NetLab's web is stopping; start it again (netlab up) and reload the page.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
