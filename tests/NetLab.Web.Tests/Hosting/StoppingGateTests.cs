using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NetLab.Web.Hosting;

namespace NetLab.Web.Tests.Hosting;

/// <summary>
/// Once its stop has begun the web answers every new request 503, a circuit's reconnect included, and its host waits
/// only a few seconds for what is still open. Before, a dashboard that reconnected during the stop kept the web running
/// for the host's default 30 s (the CLI's fault tests saw a web outlive its killed launcher by that long).
/// </summary>
public sealed class StoppingGateTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly WebApplicationFactory<Program> _app;

    public StoppingGateTests() =>
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "stopping.db"));
        });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _db.Dispose();
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("POST", "/_blazor/negotiate")]
    [InlineData("POST", "/hubs/labs/negotiate")]
    public async Task A_request_that_arrives_once_the_stop_began_is_a_503_and_reaches_nothing(string method, string path)
    {
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        var reached = false;

        await StoppingGate.RefuseWhileStoppingAsync(stopping.Token, context, _ => { reached = true; return Task.CompletedTask; });

        Assert.False(reached);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        Assert.Contains("stopping", await new StreamReader(context.Response.Body).ReadToEndAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_before_the_stop_goes_through()
    {
        var reached = false;

        await StoppingGate.RefuseWhileStoppingAsync(CancellationToken.None, new DefaultHttpContext(), _ => { reached = true; return Task.CompletedTask; });

        Assert.True(reached);
    }

    [Fact]
    public async Task The_app_has_the_gate_and_a_stop_waits_at_most_five_seconds_for_requests_still_open()
    {
        using var http = await Accounts.TestSignIn.ClientAsync(_app);
        using var page = await http.GetAsync(new Uri("/", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(_app.Services.GetServices<IStartupFilter>(), filter => filter is StoppingGate);
        Assert.Equal(TimeSpan.FromSeconds(5), _app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
