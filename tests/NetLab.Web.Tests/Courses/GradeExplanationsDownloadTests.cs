using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Courses;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Grading;
using NetLab.Web.Tests.Live;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// The other ways a student's grading run reaches their browser - the run's export and the hub's RunHistory stream -
/// follow the assignment's choice too: with explanations off, the grade comes without NetLab's explanation and fix.
/// The whole app in-process, its own database, the fake agent grading.
/// </summary>
public sealed class GradeExplanationsDownloadTests : IAsyncDisposable
{
    private const string Explanation = "ns2/macvlan2 is a macvlan in bridge mode; the check expects vepa mode.";

    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly WebApplicationFactory<Program> _app;

    public GradeExplanationsDownloadTests()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "explanations.db"));
            web.ConfigureTestServices(services => services.AddSingleton<IAgentGateway>(_agent));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _db.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_export_and_the_hub_stream_of_a_students_grading_run_follow_the_assignments_choice(bool showExplanations)
    {
        var aliceCookie = await Accounts.TestSignIn.CookieAsync(_app, "alice", UserRole.Student);
        var runId = await GradedCopyRunAsync(showExplanations);

        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", aliceCookie);
        using var export = await client.GetAsync($"/runs/{runId}/export", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        using var runJson = new StreamReader(zip.GetEntry(RunArchive.RunFileName)!.Open());
        var archived = await runJson.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.Contains("ns2/macvlan2 is a macvlan in vepa mode", archived, StringComparison.Ordinal);
        Assert.Equal(showExplanations, archived.Contains(Explanation, StringComparison.Ordinal));

        await using var connection = await HubClient.ConnectAsync(_app.Server, aliceCookie);
        var streamed = new List<RunEntry>();
        await foreach (var entry in connection.StreamAsync<RunEntry>("RunHistory", runId, TestContext.Current.CancellationToken))
        {
            streamed.Add(entry);
        }

        var failed = streamed.Single(e => e.Grade is not null).Grade!.Checks.Single(c => c.Outcome == NetLab.Core.Grading.CheckOutcome.Failed);
        Assert.Equal("ns2/macvlan2 is a macvlan in vepa mode", failed.Text);
        Assert.Equal(showExplanations ? Explanation : null, failed.Explanation);
        Assert.Equal(showExplanations, failed.Fix is not null);
    }

    /// <summary>alice's copy of an assignment with or without explanations, applied and graded (Check my work): the run's id.</summary>
    private async Task<long> GradedCopyRunAsync(bool showExplanations)
    {
        var made = await AppliedCopy.MakeAsync(
            _app.Services.GetRequiredService<CourseStore>(), _app.Services.GetRequiredService<UserStore>(), _app.Services.GetRequiredService<LabStore>(), showExplanations: showExplanations);
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));
        var graded = await _app.Services.GetRequiredService<LabGrading>().GradeAsync(made.Alice.Id, made.Copy.Id, TestContext.Current.CancellationToken);
        return graded.Run!.Id;
    }
}
