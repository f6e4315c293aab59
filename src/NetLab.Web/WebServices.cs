using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using NetLab.Agent.Client;
using NetLab.Web.Accounts;
using NetLab.Web.Agent;
using NetLab.Web.Hosting;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web;

/// <summary>The web's whole dependency graph in one place.</summary>
public static class WebServices
{
    public static IServiceCollection AddNetLabWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebOptions>()
            .Bind(configuration.GetSection(WebOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebOptions>, WebOptionsValidator>();
        services.AddAllowedHosts(configuration);
        services.AddTrustedProxies();

        Hosting.RequestSizeLimit.AddTo(services);
        // A stopping web answers no new request (a reconnecting circuit would hold its stop for the whole timeout).
        Hosting.StoppingGate.AddTo(services);
        services.AddSingleton(TimeProvider.System);
        // Started by `netlab up`: the web stops when its launcher is gone (a no-op without Web:LauncherPid).
        services.AddSingleton<Hosting.IProcessProbe, Hosting.ProcProcessProbe>();
        services.AddHostedService<Hosting.LauncherWatcher>();
        services.AddSingleton(sp => new SqliteDatabase(
            sp.GetRequiredService<IOptions<WebOptions>>().Value.ResolvedDatabaseFile, logger: sp.GetRequiredService<ILogger<SqliteDatabase>>()));
        // Quotas per role (section Quotas): the stores count labs, runs and bytes where they write; applies and captures ask before they start.
        services.AddOptions<Quotas.QuotaOptions>().Bind(configuration.GetSection(Quotas.QuotaOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Quotas.QuotaOptions>, Quotas.QuotaOptionsValidator>();
        services.AddSingleton<Quotas.ApplyAdmission>();
        services.AddSingleton<LabStore>();
        services.AddSingleton<LabReaders>();
        // Courses, rosters, assignments and submissions (Courses/).
        services.AddSingleton<Courses.CourseStore>();
        services.AddSingleton<Courses.RosterImport>();
        services.AddSingleton<Courses.AssignmentSubmission>();
        services.AddSingleton<Courses.AssignmentSources>();
        // An instructor's reset and "destroy all" of students' copies, and the audit log that records who did what.
        services.AddSingleton<Courses.AssignmentLabs>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Courses.CourseGrades>();
        services.AddSingleton<Courses.GradeExplanations>();
        services.AddSingleton(sp => new LabTemplates(sp.GetRequiredService<IOptions<WebOptions>>().Value.TemplatesFolder));
        // Local accounts and single sign-on (when configured), cookie sign-in required everywhere, the circuits revalidated each minute; the signed-in user.
        services.AddNetLabAuthentication(configuration);
        services.AddSignInRateLimit();
        services.AddSingleton(sp => new AgentClient(sp.GetRequiredService<IOptions<WebOptions>>().Value.AgentSocketPath));
        // The one edge to the agent, the one live subscription per lab, and the one "apply, then record it" service.
        services.AddSingleton<IAgentGateway, AgentGateway>();
        services.AddSingleton<LiveLabs>();
        services.AddSingleton<LabApplication>();
        // Deleting a lab destroys its kernel lab first (and is refused when that fails).
        services.AddSingleton<LabDeletion>();
        // At start-up, each lab's applied revision is checked against the kernel (a web killed mid-apply left it behind).
        services.AddSingleton<LabActivity>();
        services.AddSingleton<Quotas.IdleLabPolicy>();
        services.AddSingleton<IdleLabReaper>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleLabReaper>());
        services.AddSingleton<AppliedStateReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<AppliedStateReconciler>());

        // Experiment runs: the store and the runner that outlives a page; captures started from a page.
        services.AddSingleton<RunStore>();
        services.AddSingleton<ExperimentRunner>();
        // "Check my work": a grade through the agent, recorded as a run.
        services.AddSingleton<LabGrading>();
        services.AddSingleton<Model.Captures.CaptureService>();
        services.AddSignalR().AddJsonProtocol(json =>
        {
            // The hub's payloads have the agent API's JSON shape (AgentJson), so one document describes both.
            json.PayloadSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });

        services.AddMudServices();
        // A lab's YAML travels from the browser in one circuit message (a textarea's change); SignalR's default of
        // 32 KB refused a 200-namespace lab (about 22 KB of YAML, more once JSON-escaped), which then arrived empty.
        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = MaximumCircuitMessageBytes);
        return services;
    }

    /// <summary>Room for labs of a few thousand interfaces typed or pasted into the browser.</summary>
    public const long MaximumCircuitMessageBytes = 4 * 1024 * 1024;
}
