using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace NetLab.Web.Hosting;

/// <summary>
/// Serving a class over the network: HTTPS with the configured certificate (Kestrel's own TLS), or plain http behind a
/// TLS reverse proxy whose forwarded headers are believed only from the proxies named in Web:TrustedProxies.
/// </summary>
public static class NetworkListening
{
    /// <summary>Kestrel serves <see cref="WebOptions.CertificateFile"/> on every https address.</summary>
    public static IWebHostBuilder UseConfiguredCertificate(this IWebHostBuilder web) =>
        web.ConfigureKestrel(kestrel =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<WebOptions>>().Value;
            if (options is { CertificateFile: { Length: > 0 } certificate, CertificateKeyFile: { Length: > 0 } key })
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = X509Certificate2.CreateFromPemFile(certificate, key));
            }
        });

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto, from the trusted proxies only (ASP.NET Core's forwarded-headers
    /// middleware): the request's client address and scheme become the proxy's client's, so the sign-in cookie is
    /// Secure behind a TLS proxy and the log names the real client.
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services) =>
        services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<WebOptions>>((forwarded, web) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // ASP.NET's defaults trust loopback: here nothing is trusted that was not named (a student's shell on
                // the lab server is a loopback client too).
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var entry in WebOptionsValidator.ProxyEntries(web.Value.TrustedProxies))
                {
                    if (IPAddress.TryParse(entry, out var address))
                    {
                        forwarded.KnownProxies.Add(address);
                    }
                    else if (System.Net.IPNetwork.TryParse(entry, out var network))
                    {
                        forwarded.KnownIPNetworks.Add(network);
                    }
                }
            })
            .Services;

    /// <summary>The forwarded-headers middleware, when proxies are trusted at all.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app, WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return WebOptionsValidator.ProxyEntries(options.TrustedProxies).Count == 0 ? app : app.UseForwardedHeaders();
    }
}
