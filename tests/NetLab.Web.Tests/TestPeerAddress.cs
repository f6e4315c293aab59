using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace NetLab.Web.Tests;

/// <summary>
/// The test's stand-in for a TCP peer: TestServer has no connection, so this startup filter sets the connection's
/// remote address from <see cref="Header"/>, first in the pipeline, as a client at that address would have it.
/// </summary>
public sealed class TestPeerAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers[Header] is [{ } peer])
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(peer);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
