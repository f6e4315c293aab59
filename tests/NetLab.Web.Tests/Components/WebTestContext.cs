using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Web.Model;
using NetLab.Web.Model.Captures;
using NetLab.Web.Store;
using NetLab.Web.Tests.Captures;
using NetLab.Web.Tests.Live;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// bUnit as MudBlazor's own tests set it up (MudBlazor services, loose JS interop), with a real store on a temp
/// database and the providers that dialogs, popovers and snackbars render into.
/// </summary>
public sealed class WebTestContext : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private CaptureService? _captures;

    /// <param name="configureServices">More services (e.g. fakes) before anything renders.</param>
    public WebTestContext(Action<IServiceCollection>? configureServices = null)
    {
        Bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        Bunit.Services.AddMudServices();
        Bunit.Services.AddSingleton(_db.Store);
        Bunit.Services.AddSingleton(new RunStore(_db.Database, TimeProvider.System));
        Bunit.Services.AddSingleton(CurrentUser.Local);
        Bunit.Services.AddSingleton(new LabTemplates(Path.Combine(RepositoryFiles.Root, "labs")));

        // The Lab page shows live state; pages render with an idle source unless a test registers its own.
        Bunit.Services.AddSingleton(TimeProvider.System);
        Bunit.Services.AddSingleton<ILabEventSource>(LabEvents);
        Bunit.Services.AddSingleton<ICaptureSource>(CaptureSource);
        Bunit.Services.AddSingleton(Captures);
        configureServices?.Invoke(Bunit.Services);

        // Pages render as in the browser: interactive server (the live panel subscribes only when interactive).
        // This builds the renderer, so every service must be registered before it.
        Bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Popovers = Bunit.Render<MudPopoverProvider>();
        Dialogs = Bunit.Render<MudDialogProvider>();
    }

    public BunitContext Bunit { get; } = new();

    public LabStore Store => _db.Store;

    public SqliteDatabase Database => _db.Database;

    /// <summary>The live state components see; idle until a test sets its snapshot or publishes.</summary>
    public FakeLabEventSource LabEvents { get; } = new();

    /// <summary>Captures the components start; streams the test writes.</summary>
    public FakeCaptureSource CaptureSource { get; } = new();

    public CaptureService Captures => _captures ??= new CaptureService(CaptureSource, TimeProvider.System, NullLogger<CaptureService>.Instance);

    public IRenderedComponent<MudPopoverProvider> Popovers { get; }

    public IRenderedComponent<MudDialogProvider> Dialogs { get; }

    // MudBlazor's services are only asynchronously disposable.
    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        _captures?.Dispose();
        _db.Dispose();
    }
}
