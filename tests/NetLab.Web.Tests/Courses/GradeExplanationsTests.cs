using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Components.Pages;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Components;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// The assignment's "students read why a failed check failed" choice: off, a student's copy shows each check's
/// expected and observed but not NetLab's explanation and fix - in Check my work and in the replay of that grading run -
/// and the words are not in the rendered page at all; on, and on any lab that is no such copy, they are shown.
/// </summary>
public sealed class GradeExplanationsTests : IAsyncDisposable
{
    private const string Explanation = "ns2/macvlan2 is a macvlan in bridge mode; the check expects vepa mode.";
    private const string Fix = "set `mode: vepa`";

    private readonly FakeAgentGateway _agent = new();
    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public GradeExplanationsTests() => _context = new WebTestContext(
        services =>
        {
            services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet"));
            services.AddLogging();
            services.AddSingleton<NetLab.Web.Model.Runs.ExperimentRunner>();
        },
        _agent);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private CourseStore Courses => _context.Bunit.Services.GetRequiredService<CourseStore>();

    private UserStore Users => _context.Bunit.Services.GetRequiredService<UserStore>();

    [Fact]
    public async Task A_students_copy_of_an_assignment_without_explanations_grades_without_them_in_check_my_work_and_in_the_run()
    {
        var (_, alice, copy) = await CopyAsync(showExplanations: false);
        _signedIn = alice;

        var (page, runId) = await CheckMyWorkAsync(copy);

        AssertFailedCheckUnexplained(page.Find(".lab-check-my-work"));
        Assert.DoesNotContain("mode: vepa`", page.Markup, StringComparison.Ordinal);
        var run = _context.Bunit.Render<Run>(p => p.Add(r => r.RunId, runId));
        run.WaitForAssertion(() => Assert.Single(run.FindAll(".run-grade tr.grade-check[data-outcome='failed']")));
        AssertFailedCheckUnexplained(run.Find(".run-grade"));
        Assert.DoesNotContain(Explanation, run.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connectivity_matrix_of_such_a_copy_hides_them_for_its_student_and_not_for_the_instructor()
    {
        var (teacher, alice, copy) = await CopyAsync(showExplanations: false);

        _signedIn = alice;
        var students = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, copy.Id));
        students.WaitForAssertion(() => Assert.True(students.FindComponent<NetLab.Web.Components.Controls.Experiments.ConnectivityMatrix>().Instance.ExplanationsHidden));
        _signedIn = teacher;
        var instructors = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, copy.Id));
        instructors.WaitForElement(".lab-experiments");
        Assert.False(instructors.FindComponent<NetLab.Web.Components.Controls.Experiments.ConnectivityMatrix>().Instance.ExplanationsHidden);
    }

    [Fact]
    public async Task A_students_copy_of_an_assignment_with_explanations_shows_them()
    {
        var (_, alice, copy) = await CopyAsync(showExplanations: true);
        _signedIn = alice;

        var (page, runId) = await CheckMyWorkAsync(copy);

        AssertFailedCheckExplained(page.Find(".lab-check-my-work"));
        var run = _context.Bunit.Render<Run>(p => p.Add(r => r.RunId, runId));
        run.WaitForAssertion(() => AssertFailedCheckExplained(run.Find(".run-grade")));
    }

    [Fact]
    public async Task The_students_own_lab_that_is_no_copy_and_the_instructors_lab_show_them()
    {
        var (teacher, alice, _) = await CopyAsync(showExplanations: false);
        var own = await AppliedLabWithChecksAsync(alice.Id);
        var teachers = await AppliedLabWithChecksAsync(teacher.Id);

        _signedIn = alice;
        AssertFailedCheckExplained((await CheckMyWorkAsync(own)).Page.Find(".lab-check-my-work"));
        _signedIn = teacher;
        AssertFailedCheckExplained((await CheckMyWorkAsync(teachers)).Page.Find(".lab-check-my-work"));
    }

    [Fact]
    public async Task Only_the_copys_student_has_them_hidden_also_after_leaving_the_course()
    {
        var (teacher, alice, copy) = await CopyAsync(showExplanations: false);
        var explanations = _context.Bunit.Services.GetRequiredService<GradeExplanations>();

        Assert.True(await explanations.HiddenAsync(alice.Id, copy.Id));
        Assert.False(await explanations.HiddenAsync(teacher.Id, copy.Id));
        Assert.True(await Courses.UnenrolAsync(teacher, (await Courses.ListCoursesAsync(teacher))[0].Id, alice.Id));
        Assert.True(await explanations.HiddenAsync(alice.Id, copy.Id));
    }

    private static void AssertFailedCheckUnexplained(AngleSharp.Dom.IElement grade)
    {
        var failed = grade.QuerySelector("tr.grade-check[data-outcome='failed']")!;
        Assert.Equal("ns2/macvlan2 is a macvlan in vepa mode", failed.QuerySelector(".grade-expected")!.TextContent);
        Assert.Contains("in bridge mode, up", failed.QuerySelector(".grade-observed")!.TextContent, StringComparison.Ordinal);
        Assert.Null(failed.QuerySelector(".grade-explanation"));
        Assert.Null(failed.QuerySelector(".grade-fix"));
        Assert.Contains("does not explain failed checks", failed.QuerySelector(".grade-explanation-hidden")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Explanation, grade.OuterHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(Fix, grade.OuterHtml, StringComparison.Ordinal);
    }

    private static void AssertFailedCheckExplained(AngleSharp.Dom.IElement grade)
    {
        var failed = grade.QuerySelector("tr.grade-check[data-outcome='failed']")!;
        Assert.Equal(Explanation, failed.QuerySelector(".grade-explanation")!.TextContent);
        Assert.Contains(Fix, failed.QuerySelector(".grade-fix")!.TextContent, StringComparison.Ordinal);
        Assert.Null(failed.QuerySelector(".grade-explanation-hidden"));
    }

    /// <summary>Check my work on the lab's page as the signed-in user, the fake agent answering with one failed check; the run it recorded.</summary>
    private async Task<(IRenderedComponent<Lab> Page, long RunId)> CheckMyWorkAsync(LabSummary lab)
    {
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));
        page.WaitForAssertion(() => Assert.False(page.Find("button.lab-check-my-work-button").HasAttribute("disabled")));

        page.Find("button.lab-check-my-work-button").Click();

        page.WaitForAssertion(() => Assert.Equal("1 of 2 checks passed (1 failed)", page.Find(".lab-check-my-work .grade-summary").TextContent.Trim()));
        var run = Assert.Single(await new RunStore(_context.Database, TimeProvider.System).ListRunsAsync(lab.OwnerId, lab.Id));
        return (page, run.Id);
    }

    private async Task<LabSummary> AppliedLabWithChecksAsync(long ownerId)
    {
        var lab = (await _context.Store.CreateAsync(ownerId, RepositoryFiles.Lab("macvlan-bridge.yaml"), $"own-{ownerId}")).Value!;
        Assert.True((await _context.Store.SaveChecksAsync(ownerId, lab.Id, GradeStoreTests.Checks)).Succeeded);
        await _context.Store.MarkAppliedAsync(ownerId, lab.Id, 1);
        return lab;
    }

    private async Task<(CurrentUser Teacher, CurrentUser Alice, LabSummary Copy)> CopyAsync(bool showExplanations)
    {
        var made = await AppliedCopy.MakeAsync(Courses, Users, _context.Store, showExplanations: showExplanations);
        return (made.Teacher, made.Alice, made.Copy);
    }
}
