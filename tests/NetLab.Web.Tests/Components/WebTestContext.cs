using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Web.Model;
using NetLab.Web.Model.Captures;
using NetLab.Web.Store;
using NetLab.Web.Agent;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// bUnit as MudBlazor's own tests set it up (MudBlazor services, loose JS interop), with a real store on a temp
/// database and the providers that dialogs, popovers and snackbars render into.
/// </summary>
public sealed class WebTestContext : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private CaptureService? _captures;
    private LiveLabs? _live;

    /// <param name="configureServices">More services before anything renders.</param>
    /// <param name="agent">The agent the pages see; a fresh, idle one unless a test brings its own.</param>
    public WebTestContext(Action<IServiceCollection>? configureServices = null, FakeAgentGateway? agent = null)
    {
        Agent = agent ?? new FakeAgentGateway();
        Bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        // bUnit's 1 s default for WaitForAssertion/WaitForState was too short on a loaded machine (load 17 in a CI run
        // beside other work failed two LabPageRunTests that pass alone); a wait that holds ends at once anyway.
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Bunit.Services.AddMudServices();
        Bunit.Services.AddSingleton(_db.Database);
        Bunit.Services.AddSingleton(_db.Store);
        Bunit.Services.AddSingleton(new RunStore(_db.Database, TimeProvider.System));
        Bunit.Services.AddSingleton(CurrentUser.Local);
        Bunit.Services.AddSingleton(new UserStore(_db.Database, TimeProvider.System));
        Bunit.Services.AddSingleton(new LabTemplates(Path.Combine(RepositoryFiles.Root, "labs")));

        // The one fake of the agent, and the app's own services over it (a lab's live state stops with its last
        // watcher: tests count the agent's streams).
        Bunit.Services.AddSingleton(TimeProvider.System);
        Bunit.Services.AddSingleton<IAgentGateway>(Agent);
        Bunit.Services.AddSingleton(Live);
        Bunit.Services.AddSingleton<LabApplication>();
        Bunit.Services.AddSingleton<LabDeletion>();
        Bunit.Services.AddSingleton<LabGrading>();
        Bunit.Services.AddSingleton<NetLab.Web.Courses.CourseStore>();
        Bunit.Services.AddSingleton<NetLab.Web.Courses.AssignmentSubmission>();
        Bunit.Services.AddSingleton<NetLab.Web.Courses.AssignmentSources>();
        Bunit.Services.AddSingleton<NetLab.Web.Courses.AssignmentLabs>();
        Bunit.Services.AddSingleton<AuditLog>();
        Bunit.Services.AddSingleton(sp => new LabReaders(_db.Database, _db.Store, NullLogger<LabReaders>.Instance));
        Bunit.Services.AddSingleton<NetLab.Web.Courses.GradeExplanations>();
        Bunit.Services.AddSingleton(Captures);
        Bunit.Services.AddSingleton(new LabActivity(_db.Database, TimeProvider.System));
        Bunit.Services.AddSingleton(new NetLab.Web.Quotas.IdleLabPolicy(Microsoft.Extensions.Options.Options.Create(new NetLab.Web.Quotas.QuotaOptions())));
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

    /// <inheritdoc cref="TempDatabase.MakeLegacy"/>
    public void MakeLegacy(long labId) => _db.MakeLegacy(labId);

    /// <summary>The agent components see: idle until a test sets its snapshot, publishes, or answers a call.</summary>
    public FakeAgentGateway Agent { get; }

    public LiveLabs Live => _live ??= new LiveLabs(Agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };

    public CaptureService Captures => _captures ??= new CaptureService(Agent, TimeProvider.System, NullLogger<CaptureService>.Instance);

    public IRenderedComponent<MudPopoverProvider> Popovers { get; }

    public IRenderedComponent<MudDialogProvider> Dialogs { get; }

    // MudBlazor's services are only asynchronously disposable.
    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        _captures?.Dispose();
        _live?.Dispose();
        _db.Dispose();
    }
}
