using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Accounts;
using NetLab.Web.Tests.Accounts;

namespace NetLab.Web.Tests.Hosting;

/// <summary>
/// Serving a class over the network: a network address is allowed now that every page needs a sign-in, HTTPS comes
/// from the configured certificate, and a reverse proxy's forwarded headers are believed from trusted proxies only.
/// </summary>
public sealed class NetworkListeningTests : IAsyncDisposable
{
    private readonly InProcessWebs _webs = new();

    private string Folder => _webs.Database.Folder;

    public ValueTask DisposeAsync() => _webs.DisposeAsync();

    [Fact]
    public void A_network_address_is_allowed_and_plain_http_there_is_said_to_send_passwords_in_clear()
    {
        var validator = new WebOptionsValidator();
        var network = new WebOptions { Url = "http://0.0.0.0:5080" };

        Assert.True(validator.Validate(null, network).Succeeded);
        Assert.True(WebOptionsValidator.SendsPasswordsInClear(network));
        Assert.False(WebOptionsValidator.SendsPasswordsInClear(new WebOptions { Url = "http://127.0.0.1:5080" }));
        Assert.False(WebOptionsValidator.SendsPasswordsInClear(new WebOptions { Url = "http://[::1]:5080" }));
        Assert.False(WebOptionsValidator.SendsPasswordsInClear(new WebOptions { Url = "https://0.0.0.0:5443" }));
        Assert.False(WebOptionsValidator.SendsPasswordsInClear(new WebOptions { Url = "http://0.0.0.0:5080", TrustedProxies = "10.0.0.1" }));
    }

    [Fact]
    public void An_https_url_without_a_readable_certificate_is_refused_saying_how_to_give_one()
    {
        var validator = new WebOptionsValidator();

        var none = validator.Validate(null, new WebOptions { Url = "https://0.0.0.0:5443" });
        var missing = validator.Validate(null, new WebOptions
        {
            Url = "https://0.0.0.0:5443",
            CertificateFile = Path.Combine(Folder, "absent.crt"),
            CertificateKeyFile = Path.Combine(Folder, "absent.key"),
        });

        Assert.Contains(none.Failures!, f => f.Contains("no certificate is configured", StringComparison.Ordinal) && f.Contains("--certificate FILE", StringComparison.Ordinal));
        Assert.Contains(missing.Failures!, f => f.StartsWith($"Web:CertificateFile '{Path.Combine(Folder, "absent.crt")}' cannot be read", StringComparison.Ordinal));
        Assert.Contains(missing.Failures!, f => f.StartsWith("Web:CertificateKeyFile", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.0/24; ::1", true)]
    [InlineData("proxy.example.org", false)]
    [InlineData("10.0.0.0/99", false)]
    public void Trusted_proxies_are_addresses_or_networks(string proxies, bool valid)
    {
        var result = new WebOptionsValidator().Validate(null, new WebOptions { TrustedProxies = proxies });

        Assert.Equal(valid, result.Succeeded);
    }

    [Fact]
    public async Task Behind_a_trusted_TLS_proxy_the_sign_in_cookie_is_Secure()
    {
        var app = Web(("Web:TrustedProxies", "10.9.9.9"));

        var cookie = await TestSignIn.SetCookieAsync(app, headers: Proxied(peer: "10.9.9.9"));

        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null)] // no proxy trusted: not even loopback, where every student with a shell on the lab server is
    [InlineData("10.9.9.9")] // another proxy is trusted, not this peer
    public async Task Forwarded_headers_from_a_peer_that_is_not_a_trusted_proxy_are_ignored(string? trusted)
    {
        var app = trusted is null ? Web() : Web(("Web:TrustedProxies", trusted));

        var cookie = await TestSignIn.SetCookieAsync(app, headers: Proxied(peer: "127.0.0.1"));

        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_https_url_is_served_with_the_configured_certificate()
    {
        var (certificateFile, keyFile, thumbprint) = SelfSignedCertificate();
        var port = FreePort();
        var app = Web(
            ("Web:Url", $"https://127.0.0.1:{port}"),
            ("Web:CertificateFile", certificateFile),
            ("Web:CertificateKeyFile", keyFile));
        app.UseKestrel();
        app.StartServer();

        string? presented = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    presented = certificate is null ? null : new X509Certificate2(certificate).Thumbprint;
                    return presented == thumbprint;
                },
            },
            AllowAutoRedirect = false,
        };
        using var client = new HttpClient(handler);

        using var signIn = await client.GetAsync(new Uri($"https://127.0.0.1:{port}{AccountAuthentication.SignInPath}"), TestContext.Current.CancellationToken);

        Assert.Equal(thumbprint, presented);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    private static Dictionary<string, string> Proxied(string peer) => new()
    {
        [TestPeerAddress.Header] = peer,
        ["X-Forwarded-Proto"] = "https",
        ["X-Forwarded-For"] = "192.0.2.7",
    };

    private (string Certificate, string Key, string Thumbprint) SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificateFile = Path.Combine(Folder, "tls.crt");
        var keyFile = Path.Combine(Folder, "tls.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile, certificate.Thumbprint);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private WebApplicationFactory<Program> Web(params (string Key, string Value)[] settings) =>
        _webs.Start(services => services.AddSingleton<IStartupFilter, TestPeerAddress>(), settings);
}
