using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace NetLab.Web.Tests.Hosting;

/// <summary>
/// The whole web app in-process: an address with nothing behind it (a page that does not exist, a crafted path, the
/// export of a lab or run that is not the user's) is a 404 that says so in words; before, the body was empty.
/// </summary>
public sealed class StatusTextTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly WebApplicationFactory<Program> _app;

    public StatusTextTests() =>
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "status.db"));
        });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _db.Dispose();
    }

    [Theory]
    [InlineData("/no-such-page", "There is no page or file at /no-such-page. The labs are at /.")]
    [InlineData("/netlab.db", "There is no page or file at /netlab.db.")]
    [InlineData("/labs/999/export", "You have no lab 999: it was deleted, or the number is wrong.")]
    [InlineData("/runs/999/export", "You have no run 999:")]
    [InlineData("/runs/999/captures/1.pcap", "You have no run 999 with a capture 1")]
    public async Task An_address_with_nothing_behind_it_is_a_404_that_says_so(string path, string message)
    {
        using var http = await Accounts.TestSignIn.ClientAsync(_app);

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
