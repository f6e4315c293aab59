using System.Text;
using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Quotas;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Quotas;

/// <summary>
/// "Check my work" and a lab's checks count like everything else an account stores: a grading is a run (the runs a
/// role may keep), and checks text, grades and per-check results are stored bytes.
/// </summary>
public sealed class GradingQuotaTests : IDisposable
{
    private static readonly string Bridge = RepositoryFiles.Lab("macvlan-bridge.yaml");

    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly UserStore _users;

    public GradingQuotaTests() => _users = new UserStore(_db.Database, TimeProvider.System);

    public void Dispose() => _db.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Check_my_work_beyond_the_roles_runs_is_refused_before_the_agent_grades_and_nothing_is_stored()
    {
        var (labs, runs, grading) = Stores(new RoleQuota { Runs = 1 });
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        var lab = await AppliedWithChecksAsync(labs, student.Id);
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));
        Assert.NotNull((await grading.GradeAsync(student.Id, lab.Id, Cancel)).Run);

        var second = await grading.GradeAsync(student.Id, lab.Id, Cancel);

        Assert.False(second.Succeeded);
        Assert.Equal(
            "Check my work was not run: its grading would be recorded as a run. Limit reached: recorded runs per student is 1 runs; " +
            "1 runs in use and this needs 1 runs more. Delete runs you no longer need (a lab's Runs tab) to make room.",
            second.Error);
        Assert.Single(_agent.GradeRequests);
        Assert.Equal(1, await runs.CountRunsAsync(student.Id, lab.Id));
    }

    [Fact]
    public async Task A_grading_whose_results_pass_the_stored_bytes_is_shown_but_not_stored()
    {
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        // Room for the lab, its checks and the grading's run row, not for the per-check results' text on top.
        var roomy = Stores(new RoleQuota());
        var lab = await AppliedWithChecksAsync(roomy.Labs, student.Id);
        var used = Encoding.UTF8.GetByteCount(Bridge) + Encoding.UTF8.GetByteCount(GradeStoreTests.Checks);
        var (_, runs, grading) = Stores(new RoleQuota { StoredBytes = used + Encoding.UTF8.GetByteCount(Bridge) + Encoding.UTF8.GetByteCount(GradeStoreTests.Checks) + 200 });
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));

        var outcome = await grading.GradeAsync(student.Id, lab.Id, Cancel);

        Assert.True(outcome.Succeeded);
        Assert.Null(outcome.Run);
        Assert.StartsWith("The grade is shown but was not stored with the runs. Limit reached: stored bytes per student is", outcome.StoreError, StringComparison.Ordinal);
        Assert.Equal(0, await runs.CountRunsAsync(student.Id, lab.Id));
    }

    [Fact]
    public async Task Checks_count_toward_the_stored_bytes_and_checks_that_shrink_always_save()
    {
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        var limit = Encoding.UTF8.GetByteCount(Bridge) + 1024;
        var (labs, _, _) = Stores(new RoleQuota { StoredBytes = limit });
        var lab = (await labs.CreateAsync(student.Id, Bridge)).Value!;
        var longChecks = GradeStoreTests.Checks + "# " + new string('x', 2000) + "\n";

        var refused = await labs.SaveChecksAsync(student.Id, lab.Id, longChecks);

        Assert.False(refused.Succeeded);
        Assert.StartsWith("Limit reached: stored bytes per student is 1.8 KiB;", Assert.Single(refused.Problems).Message, StringComparison.Ordinal);
        Assert.Equal("", (await labs.GetChecksAsync(student.Id, lab.Id))!.Text);

        // Checks of 900 bytes fit; with them stored, a revision that would have fit alone no longer does.
        var fitting = GradeStoreTests.Checks + "# " + new string('y', 900 - GradeStoreTests.Checks.Length - 3) + "\n";
        Assert.True((await labs.SaveChecksAsync(student.Id, lab.Id, fitting)).Succeeded);
        Assert.False((await labs.SaveRevisionAsync(student.Id, lab.Id, Bridge + "# " + new string('z', 100) + "\n")).Succeeded);
        Assert.True((await labs.SaveChecksAsync(student.Id, lab.Id, GradeStoreTests.Checks)).Succeeded);
    }

    private (LabStore Labs, RunStore Runs, LabGrading Grading) Stores(RoleQuota student)
    {
        var options = Options.Create(new QuotaOptions { Student = student, Instructor = new RoleQuota(), NamespacesAppliedInTotal = null });
        var labs = new LabStore(_db.Database, TimeProvider.System, options);
        var runs = new RunStore(_db.Database, TimeProvider.System, options);
        return (labs, runs, new LabGrading(_agent, labs, runs, TimeProvider.System));
    }

    private static async Task<LabSummary> AppliedWithChecksAsync(LabStore labs, long owner)
    {
        var lab = (await labs.CreateAsync(owner, Bridge)).Value!;
        Assert.True((await labs.SaveChecksAsync(owner, lab.Id, GradeStoreTests.Checks)).Succeeded);
        Assert.True(await labs.MarkAppliedAsync(owner, lab.Id, 1));
        return lab;
    }
}
