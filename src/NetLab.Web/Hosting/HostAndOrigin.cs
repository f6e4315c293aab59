using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace NetLab.Web.Hosting;

/// <summary>
/// Against DNS rebinding and cross-site WebSockets: the web answers only the hosts it is reached by, and its hubs
/// (<c>/hubs/...</c> and Blazor's circuit <c>/_blazor</c>) only pages of its own origin. A page of another site can
/// make a browser connect a WebSocket anywhere (no CORS applies to WebSockets), and by rebinding its own name to
/// 127.0.0.1 it can even make requests that look same-origin to the browser; only the Host and Origin headers tell.
/// </summary>
public static class HostAndOrigin
{
    /// <summary>The ASP.NET Core setting (host filtering) that names the hosts, separated by ';'.</summary>
    public const string AllowedHostsKey = "AllowedHosts";

    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// Unless <c>AllowedHosts</c> is set (behind a reverse proxy: the public host name), the allowed hosts are the
    /// web's URL's own host; for a loopback URL the loopback names too, and for a wildcard one (0.0.0.0, [::]) the
    /// machine's name and addresses.
    /// </summary>
    public static IServiceCollection AddAllowedHosts(this IServiceCollection services, IConfiguration configuration)
    {
        // Only when unset: ASP.NET's own post-configuration then reads AllowedHosts as always.
        services.AddOptions<HostFilteringOptions>()
            .Configure<IOptions<WebOptions>>((filtering, web) =>
            {
                if (string.IsNullOrWhiteSpace(configuration[AllowedHostsKey]))
                {
                    filtering.AllowedHosts = [.. DefaultAllowedHosts(web.Value.Url)];
                }
            });
        return services;
    }

    /// <summary>Refuses (403) a hub request whose Origin is present and not the web's own: see <see cref="IsAllowedOrigin"/>.</summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if ((request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/_blazor"))
                && request.Headers.Origin is [{ } origin, ..]
                && !IsAllowedOrigin(origin, request.Host, context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync(
                    $"Origin {origin} may not connect to {request.Path}: only pages of the web's own origin ({request.Scheme}://{request.Host}) may. " +
                    $"A reverse proxy must pass the Host header on (the public name, listed in {AllowedHostsKey}); another site's origin can be listed in Web:AllowedOrigins.",
                    context.RequestAborted).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });

    /// <summary>
    /// A browser's Origin is allowed when it names the host and port the request was sent to (same origin: the Host,
    /// which host filtering has already checked) or is listed in Web:AllowedOrigins. Requests without an Origin
    /// (the CLI, the .NET SignalR client) are not browser pages of another site and are not checked.
    /// </summary>
    public static bool IsAllowedOrigin(string origin, HostString host, WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !host.HasValue)
        {
            return false;
        }

        var listed = (options.AllowedOrigins ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(allowed => Uri.TryCreate(allowed, UriKind.Absolute, out var other) && Uri.Compare(url, other, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);

        // The Host of a request to a default port leaves the port out: then the origin must be on its scheme's default
        // port too (https://x behind a TLS proxy that passes Host: x), never on another one of the same host.
        var samePort = host.Port is { } port ? url.Port == port : url.IsDefaultPort;
        return listed || (string.Equals(url.Host, host.Host, StringComparison.OrdinalIgnoreCase) && samePort);
    }

    /// <summary>What a browser may call the web at, from the URL it listens on.</summary>
    public static IReadOnlyList<string> DefaultAllowedHosts(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return LoopbackHosts; // the options validator refuses such a URL at start-up anyway
        }

        var address = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed : null;
        if (uri.IsLoopback || (address is not null && IPAddress.IsLoopback(address)))
        {
            return [.. LoopbackHosts.Append(uri.Host).Distinct(StringComparer.OrdinalIgnoreCase)];
        }

        return address is not null && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            ? [.. LoopbackHosts.Concat(MachineNamesAndAddresses()).Distinct(StringComparer.OrdinalIgnoreCase)]
            : [uri.Host];
    }

    /// <summary>The machine's host name and its interfaces' addresses at start-up (not link-local ones, which need a zone).</summary>
    private static IEnumerable<string> MachineNamesAndAddresses()
    {
        yield return Dns.GetHostName();
        foreach (var unicast in NetworkInterface.GetAllNetworkInterfaces().SelectMany(nic => nic.GetIPProperties().UnicastAddresses))
        {
            var address = unicast.Address;
            if (address.IsIPv6LinkLocal)
            {
                continue;
            }

            yield return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        }
    }
}
