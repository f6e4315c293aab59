using Microsoft.Extensions.Options;
using NetLab.Web;
using NetLab.Web.Accounts;
using NetLab.Web.Api;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Components;
using NetLab.Web.Hosting;
using NetLab.Web.Hubs;
using NetLab.Web.Store;

// `NetLab.Web.dll user ...`: the one-shot admin mode `netlab user` runs; it serves nothing.
if (UserAdmin.IsAdminCommand(args))
{
    Environment.ExitCode = await UserAdmin.RunAsync(args, Console.In, Console.Out, Console.Error);
    return;
}

var startupOptions = new WebOptions();
var bootstrap = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
bootstrap.GetSection(WebOptions.SectionName).Bind(startupOptions);

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = startupOptions.WebRootPath ?? RepositoryFolders.WebRoot(),
});

// Framework and MudBlazor assets come from the build's static web assets manifest in every environment, not only
// in Development, so `dotnet run` and the built app behave alike.
builder.WebHost.UseStaticWebAssets();
builder.WebHost.UseConfiguredCertificate();
builder.Services.AddNetLabWeb(builder.Configuration);

var app = builder.Build();
var options = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
app.Urls.Add(options.Url);
if (WebOptionsValidator.SendsPasswordsInClear(options))
{
    app.Logger.LogWarning(
        "The web listens on {Url} without HTTPS: passwords typed into its sign-in page cross the network in clear. Give it a certificate " +
        "(netlab up --certificate FILE --certificate-key FILE with an https:// --url) or serve it behind a TLS reverse proxy (docs/deploy.md).",
        options.Url);
}

try
{
    app.Services.GetRequiredService<SqliteDatabase>().EnsureCreated();
}
catch (StoreTooNewException tooNew)
{
    // Said in one line, without a stack trace: `netlab up` prints the web's last lines when it exits.
    app.Logger.LogCritical("{Message}", tooNew.Message);
    Environment.ExitCode = 1;
    return;
}

// Runs left "running" by a web that stopped or crashed are over: everything they recorded is kept. A full disk must not
// keep the web from serving what is stored: said, and tried again at the next start.
try
{
    await app.Services.GetRequiredService<RunStore>().MarkAbandonedRunsInterruptedAsync();
}
catch (StoreFullException full)
{
    app.Logger.LogError("Runs a previous web left running stay marked running for now: {Message}", full.Message);
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

// An answer of 4xx or 5xx that nothing wrote a body for (a page or file that does not exist) says what it is, in words.
app.UseStatusCodePages(StatusText.WriteAsync);

// Before the hubs' endpoints: a page of another origin never gets a circuit or a hub connection (host filtering,
// which runs first of all, has already refused hosts the web is not reached by).
// Before anything reads the client's address or scheme: behind a trusted TLS proxy the request is the client's https one.
app.UseTrustedProxies(options);
app.UseHubOriginCheck();
app.UseStaticFiles();
// After the static files (the sign-in page's styles need no sign-in), before everything else: every endpoint requires a
// signed-in user unless it says [AllowAnonymous] (Accounts/AccountAuthentication).
app.UseAuthentication();
app.UseTokenRevalidation();
app.UseAuthorization();
// After routing picked the endpoint: only the sign-in form and the token endpoint carry a rate-limit policy.
app.UseRateLimiter();
app.UseAntiforgery();
app.MapAccountEndpoints();
app.MapTokenEndpoint();
// The JSON API under /api (Api/, docs/web-api.md "JSON API").
app.MapJsonApi();
app.MapGet("/labs/{labId:long}/export", LabExport.HandleAsync);
app.MapGet("/captures/{id:guid}.pcap", NetLab.Web.Model.Captures.CaptureService.Download);
app.MapGet("/runs/{runId:long}/export", RunArchive.HandleExportAsync);
app.MapGet("/runs/{runId:long}/captures/{number:int}.pcap", RunArchive.HandleCaptureAsync);
app.MapGet("/courses/{courseId:long}/grades.csv", NetLab.Web.Courses.CourseGrades.HandleAsync);
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapHub<LabsHub>(LabsHub.Path);

app.Logger.LogInformation("NetLab web on {Url}; store {Database}; agent socket {Socket}", options.Url, options.ResolvedDatabaseFile, options.AgentSocketPath);
app.Run();
