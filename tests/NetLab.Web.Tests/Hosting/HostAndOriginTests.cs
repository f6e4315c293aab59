using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using NetLab.Web.Hosting;
using NetLab.Web.Hubs;

namespace NetLab.Web.Tests.Hosting;

/// <summary>
/// DNS rebinding and cross-site WebSockets: the whole app in-process answers only the hosts it is reached by (by
/// default its URL's own), and its hubs (the public one and Blazor's circuit) refuse a browser page of another origin.
/// </summary>
public sealed class HostAndOriginTests : IAsyncDisposable
{
    private const string Own = "127.0.0.1:5080";

    private readonly InProcessWebs _webs = new();

    public ValueTask DisposeAsync() => _webs.DisposeAsync();

    [Theory]
    [InlineData("evil.example", HttpStatusCode.BadRequest)]
    [InlineData("evil.example:5080", HttpStatusCode.BadRequest)] // a rebound name: the browser sends the attacker's name with the web's port
    [InlineData("127.0.0.1.evil.example", HttpStatusCode.BadRequest)]
    [InlineData(Own, HttpStatusCode.OK)]
    [InlineData("localhost:5080", HttpStatusCode.OK)]
    [InlineData("[::1]:5080", HttpStatusCode.OK)]
    public async Task Only_requests_for_the_webs_own_loopback_hosts_are_served(string host, HttpStatusCode expected)
    {
        using var client = await ClientAsync(Web());

        using var answer = await SendAsync(client, HttpMethod.Get, "/", host, origin: null);

        Assert.Equal(expected, answer.StatusCode);
    }

    [Theory]
    [InlineData(LabsHub.Path + "/negotiate?negotiateVersion=1")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    public async Task A_hub_negotiation_from_a_page_of_another_origin_gets_403(string path)
    {
        using var client = await ClientAsync(Web());

        using var foreign = await SendAsync(client, HttpMethod.Post, path, Own, "http://evil.example");
        using var otherPort = await SendAsync(client, HttpMethod.Post, path, Own, "http://127.0.0.1:3000");
        using var nullOrigin = await SendAsync(client, HttpMethod.Post, path, Own, "null");

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("http://evil.example", await foreign.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, otherPort.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, nullOrigin.StatusCode);
    }

    [Theory]
    [InlineData(LabsHub.Path + "/negotiate?negotiateVersion=1")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    public async Task A_hub_negotiation_from_the_webs_own_page_or_without_an_origin_is_served(string path)
    {
        using var client = await ClientAsync(Web());

        using var own = await SendAsync(client, HttpMethod.Post, path, Own, $"http://{Own}");
        using var nonBrowser = await SendAsync(client, HttpMethod.Post, path, Own, origin: null); // the CLI, the .NET SignalR client

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nonBrowser.StatusCode);
    }

    [Fact]
    public async Task Behind_a_reverse_proxy_AllowedHosts_names_the_public_host()
    {
        using var client = await ClientAsync(Web(("AllowedHosts", "netlab.example.org")), "netlab.example.org");

        using var proxied = await SendAsync(client, HttpMethod.Post, LabsHub.Path + "/negotiate?negotiateVersion=1", "netlab.example.org", "https://netlab.example.org");
        using var direct = await SendAsync(client, HttpMethod.Get, "/", Own, origin: null);

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
    }

    [Fact]
    public async Task A_web_on_a_named_address_answers_that_name_only()
    {
        using var client = await ClientAsync(Web(("Web:Url", "http://10.1.2.3:5080")), "10.1.2.3:5080");

        using var named = await SendAsync(client, HttpMethod.Get, "/", "10.1.2.3:5080", origin: null);
        using var other = await SendAsync(client, HttpMethod.Get, "/", "10.1.2.4:5080", origin: null);

        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", Own, true)]
    [InlineData("http://LOCALHOST:5080", "localhost:5080", true)]
    [InlineData("https://netlab.example.org", "netlab.example.org", true)] // TLS proxy passing Host on
    [InlineData("http://netlab.example.org:8080", "netlab.example.org", false)] // another port of the same host
    [InlineData("http://127.0.0.1:3000", Own, false)]
    [InlineData("http://evil.example:5080", Own, false)]
    [InlineData("https://lab.school.example", Own, true)] // listed in Web:AllowedOrigins
    [InlineData("file://", Own, false)]
    [InlineData("null", Own, false)]
    public void An_origin_is_the_webs_own_when_it_names_the_requests_host_and_port_or_is_listed(string origin, string host, bool allowed)
    {
        var options = new WebOptions { AllowedOrigins = "https://lab.school.example; http://other.example" };

        Assert.Equal(allowed, HostAndOrigin.IsAllowedOrigin(origin, new Microsoft.AspNetCore.Http.HostString(host), options));
    }

    private WebApplicationFactory<Program> Web(params (string Key, string Value)[] settings) => _webs.Start(services: null, settings);

    /// <summary>A signed-in client (every page and hub requires one), signed in through <paramref name="host"/> when given.</summary>
    private static Task<HttpClient> ClientAsync(WebApplicationFactory<Program> app, string? host = null) =>
        NetLab.Web.Tests.Accounts.TestSignIn.ClientAsync(app, host: host);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string host, string? origin)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
