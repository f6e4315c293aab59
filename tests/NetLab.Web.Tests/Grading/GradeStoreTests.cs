using Dapper;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Grading;
using NetLab.Web.Agent;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Grading;

/// <summary>"Check my work" through the one fake agent: each grading is a run, and its grade and every check's result are stored with it.</summary>
public sealed class GradeStoreTests : IDisposable
{
    internal const string Checks = "checks:\n- { from: ns2, reaches: 100.0.0.3 }\n- { interface: ns2/macvlan2, kind: macvlan, mode: vepa }\n";

    private readonly TempDatabase _db = new();
    private readonly RunStore _runs;
    private readonly FakeAgentGateway _agent = new();
    private readonly LabGrading _grading;

    public GradeStoreTests()
    {
        _runs = new RunStore(_db.Database, TimeProvider.System);
        _grading = new LabGrading(_agent, _db.Store, _runs, TimeProvider.System);
    }

    public void Dispose() => _db.Dispose();

    /// <summary>One passed and one failed check, as the agent grades macvlan-bridge against <see cref="Checks"/>.</summary>
    internal static GradeView Grade(string lab = "macvlan-bridge") => new(lab, 1, 1, 0, 0.5, "1 of 2 checks passed (1 failed)",
    [
        new CheckGradeView("reach/ns2/100.0.0.3", "ns2 reaches 100.0.0.3", CheckOutcome.Passed, "replied", null, null, null),
        new CheckGradeView("kind/ns2/macvlan2", "ns2/macvlan2 is a macvlan in vepa mode", CheckOutcome.Failed,
            "ns2/macvlan2 is a macvlan in bridge mode, up, with 100.0.0.2/24", null,
            "ns2/macvlan2 is a macvlan in bridge mode; the check expects vepa mode.", "set `mode: vepa` on macvlan2 in ns2, and apply the lab."),
    ]);

    private async Task<LabSummary> AppliedBridgeWithChecksAsync(long owner = LabStore.LocalUserId)
    {
        var lab = (await _db.Store.CreateAsync(owner, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        Assert.True((await _db.Store.SaveChecksAsync(owner, lab.Id, Checks)).Succeeded);
        Assert.True(await _db.Store.MarkAppliedAsync(owner, lab.Id, 1));
        return lab;
    }

    [Fact]
    public async Task A_grading_is_a_run_with_its_grade_and_every_checks_result_stored()
    {
        var lab = await AppliedBridgeWithChecksAsync();
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(Grade()));

        var outcome = await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken);

        // The agent was asked for the applied revision by its kernel name, with the lab's checks.
        var (kernelLab, request) = Assert.Single(_agent.GradeRequests);
        Assert.Equal((lab.KernelName, RepositoryFiles.Lab("macvlan-bridge.yaml"), Checks), (kernelLab, request.Lab.Text, request.Checks.Text));

        Assert.True(outcome.Succeeded);
        var run = outcome.Run!;
        Assert.Equal((RunStatus.Succeeded, "Check my work", 1, lab.KernelName, "1 of 2 checks passed (1 failed)"), (run.Status, run.Title, run.Revision, run.KernelLab, run.Grade));
        Assert.Equal("1 of 2 checks passed (1 failed)", Assert.Single(await _runs.ListRunsAsync(LabStore.LocalUserId, lab.Id)).Grade);

        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Id);
        Assert.Equal([RunEntryKind.Status, RunEntryKind.Grade, RunEntryKind.Status], entries.Select(e => e.Kind));
        Assert.Equal(Grade().Checks, entries[1].Grade!.Checks);
        Assert.Equal("Graded: 1 of 2 checks passed (1 failed)", entries[2].Message);

        var stored = (await _runs.GetGradeAsync(LabStore.LocalUserId, run.Id))!;
        Assert.Equal((Checks, 1, 1, 0, 2, 0.5), (stored.Checks, stored.Passed, stored.Failed, stored.NotChecked, stored.Total, stored.Score));
        // Explanations are kept whatever students will be shown.
        Assert.Equal(Grade().Checks, stored.Results);
    }

    [Fact]
    public async Task A_grading_the_agent_refused_is_a_failed_run_without_a_grade()
    {
        var lab = await AppliedBridgeWithChecksAsync();
        _agent.AnswerGrade(AgentOutcome<GradeView>.Failed("The agent refused the checks: they do not fit.",
            [new NetLab.Core.Validation.Problem("checks[0].from", "no ns9", "use ns2")], AgentErrorCodes.InvalidChecks));

        var outcome = await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded);
        Assert.Equal(("The agent refused the checks: they do not fit.", "checks[0].from"), (outcome.Error, Assert.Single(outcome.Problems).Path));
        Assert.Equal((RunStatus.Failed, (string?)null), (outcome.Run!.Status, outcome.Run.Grade));
        Assert.Null(await _runs.GetGradeAsync(LabStore.LocalUserId, outcome.Run.Id));
        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, outcome.Run.Id);
        Assert.Equal("Grading failed: The agent refused the checks: they do not fit.", entries[^1].Message);
    }

    [Fact]
    public async Task Nothing_is_asked_of_the_agent_for_a_lab_not_applied_or_without_checks()
    {
        var lab = (await _db.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;

        var notApplied = await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken);
        await _db.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        var noChecks = await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken);

        Assert.StartsWith("Apply the lab first", notApplied.Error, StringComparison.Ordinal);
        Assert.StartsWith("The lab has no checks", noChecks.Error, StringComparison.Ordinal);
        Assert.Empty(_agent.GradeRequests);
        Assert.Empty(await _runs.ListRunsAsync(LabStore.LocalUserId, lab.Id));
    }

    [Fact]
    public async Task Another_users_lab_cannot_be_graded_and_their_grades_cannot_be_read()
    {
        var lab = await AppliedBridgeWithChecksAsync();
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(Grade()));
        var mine = await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken);
        var other = await _db.Store.EnsureUserAsync("student2");

        var theirs = await _grading.GradeAsync(other, lab.Id, TestContext.Current.CancellationToken);

        Assert.StartsWith("There is no such lab of yours", theirs.Error, StringComparison.Ordinal);
        Assert.Single(_agent.GradeRequests);
        Assert.Null(await _runs.GetGradeAsync(other, mine.Run!.Id));
        Assert.Null(await _runs.RecordGradingAsync(other, lab.Id, new GradingRecord(1, "name: x\n", "x", Checks, DateTimeOffset.UtcNow, Grade(), null)));
    }

    [Fact]
    public async Task Deleting_a_graded_run_deletes_its_grade()
    {
        var lab = await AppliedBridgeWithChecksAsync();
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(Grade()));
        var run = (await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken)).Run!;

        Assert.True(await _runs.DeleteRunAsync(LabStore.LocalUserId, run.Id));

        using var connection = _db.Database.Open();
        Assert.Equal((0, 0), (connection.ExecuteScalar<int>("SELECT COUNT(*) FROM run_grades"), connection.ExecuteScalar<int>("SELECT COUNT(*) FROM run_check_results")));
    }

    [Fact]
    public async Task An_exported_graded_run_replays_its_grade_after_import_but_the_import_is_no_grade()
    {
        var lab = await AppliedBridgeWithChecksAsync();
        _agent.AnswerGrade(AgentOutcome<GradeView>.Success(Grade()));
        var run = (await _grading.GradeAsync(LabStore.LocalUserId, lab.Id, TestContext.Current.CancellationToken)).Run!;
        using var zip = new MemoryStream();
        Assert.True(await RunArchive.ExportAsync(_runs, LabStore.LocalUserId, run.Id, zip));
        zip.Position = 0;

        var imported = await RunArchive.ImportAsync(_runs, _db.Store, LabStore.LocalUserId, zip, "graded.zip");

        Assert.NotNull(imported.Run);
        var replay = (await RunReplay.LoadAsync(_runs, LabStore.LocalUserId, imported.Run.Id))!;
        Assert.Equal(Grade().Checks, replay.At(replay.DurationMilliseconds).Grade!.Checks);
        // An archive is anyone's text: a grade in it is shown, never stored as a grade this NetLab made.
        Assert.Null(await _runs.GetGradeAsync(LabStore.LocalUserId, imported.Run.Id));
        Assert.Null(imported.Run.Grade);
    }
}
