using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Agent;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests;

/// <summary>
/// Whole webs in-process on one temporary store, each with settings of its own and the fake agent gateway; all are
/// disposed with this.
/// </summary>
public sealed class InProcessWebs : IAsyncDisposable
{
    private readonly List<WebApplicationFactory<Program>> _apps = [];

    public TempDatabase Database { get; } = new();

    /// <summary>A web with <paramref name="settings"/> (e.g. <c>("Web:Url", "...")</c>); <paramref name="services"/> adds test services.</summary>
    public WebApplicationFactory<Program> Start(Action<IServiceCollection>? services, params (string Key, string Value)[] settings)
    {
        var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", Database.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(Database.Folder, "web.db"));
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            web.ConfigureTestServices(test =>
            {
                test.AddSingleton<IAgentGateway>(new FakeAgentGateway());
                services?.Invoke(test);
            });
        });
        _apps.Add(app);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        Database.Dispose();
    }
}
