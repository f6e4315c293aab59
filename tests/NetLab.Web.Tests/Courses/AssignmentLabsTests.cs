using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// The instructor's actions on students' copies against the fake agent: a reset destroys the kernel lab first (acting
/// for the student) and then makes revision n+1 equal to the template; a failed destroy writes nothing; only the
/// course's instructor acts; "destroy all" goes on past a failure and reports it.
/// </summary>
public sealed class AssignmentLabsTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly LiveLabs _live;
    private readonly UserStore _users;
    private readonly CourseStore _courses;
    private readonly AssignmentLabs _actions;

    public AssignmentLabsTests()
    {
        _live = new LiveLabs(_agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        _users = new UserStore(_db.Database, TimeProvider.System);
        _courses = new CourseStore(_db.Database, _db.Store, _users, TimeProvider.System);
        _actions = new AssignmentLabs(_courses, _db.Store, new LabApplication(_agent, _db.Store, _live), _db.Database);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LabStore Store => _db.Store;

    public void Dispose()
    {
        _live.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task A_reset_destroys_the_applied_kernel_lab_first_then_makes_revision_n_plus_1_the_template_with_the_assignments_checks()
    {
        var room = await ClassroomAsync("alice");
        var alice = room.Students["alice"];
        var copy = await room.OpenCopyAsync("alice");
        var edited = (await Store.SaveRevisionAsync(alice.Id, copy.Id, room.Assignment.TemplateYaml.Replace("mode: bridge", "mode: vepa", StringComparison.Ordinal), "student's edit")).Value!;
        Assert.True((await Store.SaveChecksAsync(alice.Id, copy.Id, "checks:\n- { interface: ns2/macvlan2, exists: true }\n")).Succeeded);
        Assert.True(await Store.MarkAppliedAsync(alice.Id, copy.Id, edited.Number));

        var resetting = _actions.ResetAsync(room.Teacher, room.Assignment.Id, alice.Id, Cancel);
        await WaitForCallAsync($"destroy {copy.KernelName}");

        // The agent is destroying: nothing is written yet.
        Assert.False(resetting.IsCompleted);
        Assert.Equal(2, (await Store.GetLabAsync(alice.Id, copy.Id))!.CurrentRevision);
        Assert.Equal(0, AuditRows(AuditActions.Reset));

        _agent.Outcome.SetResult(Classroom.Destroyed(copy.KernelName));
        var outcome = await resetting;

        Assert.True(outcome.Succeeded, outcome.Error);
        var lab = (await Store.GetLabAsync(alice.Id, copy.Id))!;
        var current = (await Store.GetCurrentRevisionAsync(alice.Id, copy.Id))!;
        Assert.Equal((3, 2, "reset by instructor Tess Teacher"), (current.Number, current.Parent, current.Note));
        Assert.Equal(room.Assignment.TemplateYaml, current.Yaml);
        Assert.Null(lab.AppliedRevision);
        Assert.Equal(room.Assignment.Checks, (await Store.GetChecksAsync(alice.Id, copy.Id))!.Text);
        Assert.Equal(3, (await Store.ListRevisionsAsync(alice.Id, copy.Id)).Count); // the student's revisions are kept
        // Acting for the student, whose lab it is.
        Assert.Equal(OwnedKernelLab.ActingUserOf(alice.Id), Assert.Single(_agent.Acting).Lab.ActingUser);
        var row = (await AuditRowsAsync(room))[0]; // newest first; the student's apply is the row before
        Assert.Equal([AuditActions.Reset, AuditActions.Apply], (await AuditRowsAsync(room)).Select(r => r.Action));
        Assert.Equal((AuditActions.Reset, room.Teacher.Id, alice.Id, copy.Id, room.Assignment.Id), (row.Action, row.ActorId, row.SubjectId, row.LabId, row.AssignmentId));
        Assert.Equal("revision 3 from the template", row.Detail);
    }

    [Fact]
    public async Task A_reset_whose_destroy_fails_writes_nothing_and_says_what_to_do()
    {
        var room = await ClassroomAsync("alice");
        var alice = room.Students["alice"];
        var copy = await room.AppliedCopyAsync("alice");
        await Store.SaveChecksAsync(alice.Id, copy.Id, "");
        _agent.Outcome.SetResult(Classroom.AgentMissing());
        var auditBefore = AuditRows(null);

        var outcome = await _actions.ResetAsync(room.Teacher, room.Assignment.Id, alice.Id, Cancel);

        Assert.False(outcome.Succeeded);
        Assert.Equal(
            $"alice's copy was not reset: destroying its kernel lab {copy.KernelName} failed (The NetLab agent is not running at /run/netlab/agent.sock: " +
            "start it with `sudo netlab agent`). Nothing was changed; fix that (is the agent running?) and reset again.",
            outcome.Error);
        Assert.Equal(copy, await Store.GetLabAsync(alice.Id, copy.Id));
        Assert.Single(await Store.ListRevisionsAsync(alice.Id, copy.Id));
        Assert.Equal("", (await Store.GetChecksAsync(alice.Id, copy.Id))!.Text);
        Assert.Equal(auditBefore, AuditRows(null));
    }

    [Fact]
    public async Task A_copy_not_applied_is_reset_without_asking_the_agent()
    {
        var room = await ClassroomAsync("alice");
        var copy = await room.OpenCopyAsync("alice");

        var outcome = await _actions.ResetAsync(room.Teacher, room.Assignment.Id, copy.OwnerId, Cancel);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(2, outcome.Revision!.Number);
        Assert.Empty(_agent.Calls);
        Assert.Equal(1, AuditRows(AuditActions.Reset));
    }

    [Fact]
    public async Task A_reset_is_refused_to_the_student_and_to_another_instructor_as_for_a_missing_assignment()
    {
        var room = await ClassroomAsync("alice");
        var alice = room.Students["alice"];
        var copy = await room.AppliedCopyAsync("alice");
        _agent.Outcome.SetResult(Classroom.Destroyed(copy.KernelName));

        foreach (var who in new[] { alice, room.OtherTeacher })
        {
            var outcome = await _actions.ResetAsync(who, room.Assignment.Id, alice.Id, Cancel);
            var missing = await _actions.ResetAsync(who, room.Assignment.Id + 100, alice.Id, Cancel);

            Assert.Equal($"There is no assignment {room.Assignment.Id} of yours to oversee: open it from one of your courses.", outcome.Error);
            Assert.Equal($"There is no assignment {room.Assignment.Id + 100} of yours to oversee: open it from one of your courses.", missing.Error);
        }

        Assert.Empty(_agent.Calls);
        Assert.Equal(copy, await Store.GetLabAsync(alice.Id, copy.Id));
        Assert.Equal(0, AuditRows(AuditActions.Reset));
    }

    [Fact]
    public async Task Destroy_all_goes_on_past_a_failure_reports_it_with_its_reason_and_audits_each_success()
    {
        var room = await ClassroomAsync("alice", "bob", "carol", "dave");
        var copies = new Dictionary<string, LabSummary>(StringComparer.Ordinal);
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            copies[name] = await room.AppliedCopyAsync(name);
        }

        await room.OpenCopyAsync("dave"); // opened, never applied: nothing to destroy
        _agent.DestroyOf = lab => lab.Name == copies["bob"].KernelName
            ? AgentOutcome<ApplyResult>.Success(new ApplyResult(lab.Name, false, 1, 3, 1.0,
                new ApplyFailure(FakeAgentGateway.Operations[0], "the namespace is in use", "EBUSY", "Device or resource busy")))
            : Classroom.Destroyed(lab.Name);
        var progress = new List<DestroyAllProgress>();

        var outcome = await _actions.DestroyAllAsync(room.Teacher, room.Assignment.Id, progress.Add, Cancel);

        Assert.Null(outcome.Error);
        Assert.Equal((3, 2), (outcome.Total, outcome.Destroyed));
        var failure = Assert.Single(outcome.Failures);
        Assert.Equal(("bob", copies["bob"].Id), (failure.Student, failure.LabId));
        Assert.Equal($"{FakeAgentGateway.Operations[0].Command} failed: Device or resource busy", failure.Reason);
        Assert.Equal(["1 of 3 alice", "2 of 3 bob", "3 of 3 carol"], progress.Select(p => $"{p.Number} of {p.Total} {p.Student}"));
        Assert.Equal(copies.Values.Select(c => $"destroy {c.KernelName}"), _agent.Calls);
        Assert.Null((await Store.GetLabAsync(copies["alice"].OwnerId, copies["alice"].Id))!.AppliedRevision);
        Assert.Null((await Store.GetLabAsync(copies["carol"].OwnerId, copies["carol"].Id))!.AppliedRevision);
        Assert.Equal(1, (await Store.GetLabAsync(copies["bob"].OwnerId, copies["bob"].Id))!.AppliedRevision);
        var rows = (await AuditRowsAsync(room)).Where(r => r.Action == AuditActions.DestroyAll).ToList();
        Assert.Equal([copies["carol"].Id, copies["alice"].Id], rows.Select(r => r.LabId));
        Assert.All(rows, r => Assert.Equal(room.Teacher.Id, r.ActorId));
    }

    [Fact]
    public async Task Destroy_all_is_refused_to_another_instructor_and_destroys_nothing()
    {
        var room = await ClassroomAsync("alice");
        await room.AppliedCopyAsync("alice");

        var outcome = await _actions.DestroyAllAsync(room.OtherTeacher, room.Assignment.Id, _ => { }, Cancel);

        Assert.Equal($"There is no assignment {room.Assignment.Id} of yours to oversee: open it from one of your courses.", outcome.Error);
        Assert.Empty(_agent.Calls);
    }

    private Task<Classroom> ClassroomAsync(params string[] students) => Classroom.CreateAsync(_courses, Store, _users, students);

    private async Task<IReadOnlyList<AuditEntry>> AuditRowsAsync(Classroom room) =>
        (await new AuditLog(_db.Database).ReadAsync(room.Teacher, room.Course.Id, 1))!.Entries;

    private long AuditRows(string? action)
    {
        using var connection = _db.Database.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit_log WHERE @action IS NULL OR action = @action", new { action });
    }

    private async Task WaitForCallAsync(string call)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!_agent.Calls.Contains(call))
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
