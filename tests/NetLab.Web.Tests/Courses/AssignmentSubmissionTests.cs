using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
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
/// "Submit" on a student's copy: graded through the agent against the assignment's checks as published (not the
/// copy's, which the student may edit), recorded as a run, handed in with passed of total, late after the due time.
/// </summary>
public sealed class AssignmentSubmissionTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _agent = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public AssignmentSubmissionTests() => _context = new WebTestContext(
        services => services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet")), _agent);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task A_submission_is_graded_against_the_assignments_checks_not_the_copys_and_is_late_after_the_due_time()
    {
        var (alice, assignment, copy, courses) = await CopyAsync(due: _time.GetUtcNow().AddHours(1));
        Assert.True((await _context.Store.SaveChecksAsync(alice.Id, copy.Id, "checks:\n- { interface: ns2/macvlan2, exists: true }\n")).Succeeded); // the student's easier checks
        var submission = new AssignmentSubmission(courses, new LabGrading(_agent, _context.Store, new RunStore(_context.Database, _time), _time));
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));
        _time.Advance(TimeSpan.FromHours(2));

        var outcome = await submission.SubmitAsync(alice, copy.Id, Xunit.TestContext.Current.CancellationToken);

        Assert.Null(outcome.Error);
        Assert.Equal(assignment.Checks, _agent.GradeRequests.Last().Request.Checks.Text);
        Assert.Equal((1, 2, true), (outcome.Submission!.Passed, outcome.Submission.Total, outcome.Submission.Late));
        Assert.NotNull(outcome.Submission.RunId);
        Assert.Equal(outcome.Grading!.Run!.Id, outcome.Submission.RunId);
    }

    [Fact]
    public async Task A_lab_that_is_no_copy_of_an_assignment_is_not_submitted_and_shows_no_submit_button()
    {
        var (alice, _, copy, courses) = await CopyAsync(due: null);
        var own = (await _context.Store.CreateAsync(alice.Id, RepositoryFiles.Lab("macvlan-bridge.yaml"), "own")).Value!;
        var submission = new AssignmentSubmission(courses, new LabGrading(_agent, _context.Store, new RunStore(_context.Database, _time), _time));

        var outcome = await submission.SubmitAsync(alice, own.Id, Xunit.TestContext.Current.CancellationToken);
        _signedIn = alice;
        var ownPage = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, own.Id));
        var copyPage = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, copy.Id));

        Assert.StartsWith("This lab is no copy of an assignment open to you", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(_agent.GradeRequests);
        Assert.Empty(ownPage.FindAll("button.lab-submit-button"));
        copyPage.WaitForAssertion(() => Assert.Single(copyPage.FindAll("button.lab-submit-button")));
    }

    private async Task<(CurrentUser Alice, Assignment Assignment, LabSummary Copy, CourseStore Courses)> CopyAsync(DateTimeOffset? due)
    {
        var users = _context.Bunit.Services.GetRequiredService<UserStore>();
        var courses = new CourseStore(_context.Database, _context.Store, users, _time);
        var made = await AppliedCopy.MakeAsync(courses, users, _context.Store, due);
        return (made.Alice, made.Assignment, made.Copy, courses);
    }
}
