using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// bUnit as MudBlazor's own tests set it up (MudBlazor services, loose JS interop), with a real store on a temp
/// database and the providers that dialogs, popovers and snackbars render into.
/// </summary>
public sealed class WebTestContext : IAsyncDisposable
{
    private readonly TempDatabase _db = new();

    /// <param name="configureServices">More services (e.g. fakes) before anything renders.</param>
    public WebTestContext(Action<IServiceCollection>? configureServices = null)
    {
        Bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        Bunit.Services.AddMudServices();
        Bunit.Services.AddSingleton(_db.Store);
        Bunit.Services.AddSingleton(CurrentUser.Local);
        Bunit.Services.AddSingleton(new LabTemplates(Path.Combine(RepositoryFiles.Root, "labs")));
        configureServices?.Invoke(Bunit.Services);
        Popovers = Bunit.Render<MudPopoverProvider>();
        Dialogs = Bunit.Render<MudDialogProvider>();
    }

    public BunitContext Bunit { get; } = new();

    public LabStore Store => _db.Store;

    public IRenderedComponent<MudPopoverProvider> Popovers { get; }

    public IRenderedComponent<MudDialogProvider> Dialogs { get; }

    // MudBlazor's services are only asynchronously disposable.
    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        _db.Dispose();
    }
}
