using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Agent;

/// <summary>
/// Idle applied labs (issue 13 section 6): what counts as work on a lab, and the reaper that destroys labs idle beyond
/// their owner's role limit through the agent, acting for the owner, keeping the lab, its revisions and runs.
/// </summary>
public sealed class IdleLabReaperTests : IDisposable
{
    private const long Student = LabStore.LocalUserId;

    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly LiveLabs _live;
    private readonly LabActivity _activity;
    private readonly IdleLabReaper _reaper;

    public IdleLabReaperTests()
    {
        _live = new LiveLabs(_agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        _activity = new LabActivity(_db.Database, TimeProvider.System);
        var policy = new IdleLabPolicy(Options.Create(new QuotaOptions()));
        _reaper = new IdleLabReaper(_activity, policy, new LabApplication(_agent, _db.Store, _live), TimeProvider.System, NullLogger<IdleLabReaper>.Instance);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static int StudentLimitMinutes => new QuotaOptions().Student.IdleAppliedMinutes!.Value;

    public void Dispose()
    {
        _live.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task A_lab_idle_beyond_the_student_limit_is_destroyed_for_its_owner_and_keeps_its_revisions_and_runs()
    {
        var idle = await AppliedLabAsync(Student, "idle-one", idleMinutes: StudentLimitMinutes + 5);
        var busy = await AppliedLabAsync(Student, "busy-one", idleMinutes: StudentLimitMinutes - 5);
        await AddRunAsync(idle.Id, ended: true, agoMinutes: StudentLimitMinutes + 10);
        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(idle.KernelName, true, 3, 3, 1.0)));

        var reaped = Assert.Single(await _reaper.ReapOnceAsync(Cancel));

        Assert.Equal((idle.Id, true, (string?)null), (reaped.LabId, reaped.Destroyed, reaped.Error));
        Assert.Equal([$"destroy {idle.KernelName}"], _agent.Calls);
        Assert.Equal(OwnedKernelLab.ActingUserOf(Student), Assert.Single(_agent.Acting).Lab.ActingUser);
        var after = (await _db.Store.GetLabAsync(Student, idle.Id))!;
        Assert.Null(after.AppliedRevision);
        Assert.Single(await _db.Store.ListRevisionsAsync(Student, idle.Id));
        Assert.Equal(1, await new RunStore(_db.Database, TimeProvider.System).CountRunsAsync(Student, idle.Id));
        Assert.NotNull((await _db.Store.GetLabAsync(Student, busy.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task A_students_idle_assignment_copy_destroyed_leaves_an_idle_destroy_row_in_the_courses_audit_log()
    {
        var users = new UserStore(_db.Database, TimeProvider.System);
        var courses = new NetLab.Web.Courses.CourseStore(_db.Database, _db.Store, users, TimeProvider.System);
        var room = await NetLab.Web.Tests.Courses.Classroom.CreateAsync(courses, _db.Store, users, "alice");
        var copy = await room.AppliedCopyAsync("alice");
        await MakeIdleAsync(copy.Id, StudentLimitMinutes + 1);
        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(copy.KernelName, true, 3, 3, 1.0)));

        Assert.True(Assert.Single(await _reaper.ReapOnceAsync(Cancel)).Destroyed);

        var entry = (await new AuditLog(_db.Database).ReadAsync(room.Teacher, room.Course.Id, 1))!.Entries[0];
        Assert.Equal((AuditActions.IdleDestroy, room.Students["alice"].Id, copy.Id), (entry.Action, entry.SubjectId!.Value, entry.LabId!.Value));
    }

    [Fact]
    public async Task Work_of_every_kind_keeps_a_lab_applied()
    {
        var revised = await AppliedLabAsync(Student, "revised", idleMinutes: StudentLimitMinutes + 5);
        Assert.True((await _db.Store.SaveRevisionAsync(Student, revised.Id, "name: revised\n# edited\n", "an edit")).Succeeded);
        var ran = await AppliedLabAsync(Student, "ran", idleMinutes: StudentLimitMinutes + 5);
        await AddRunAsync(ran.Id, ended: true, agoMinutes: 1);
        var running = await AppliedLabAsync(Student, "running", idleMinutes: StudentLimitMinutes + 5);
        await AddRunAsync(running.Id, ended: false, agoMinutes: StudentLimitMinutes + 60);
        var kept = await AppliedLabAsync(Student, "kept", idleMinutes: StudentLimitMinutes + 5);
        Assert.True(await _activity.KeepAsync(Student, kept.Id));

        Assert.Empty(await _reaper.ReapOnceAsync(Cancel));
        Assert.Empty(_agent.Calls);
    }

    [Fact]
    public async Task An_instructors_lab_has_no_idle_limit_by_default()
    {
        var users = new UserStore(_db.Database, TimeProvider.System);
        await users.AddAsync("alice", UserRole.Student, "a long password 1");
        var teacher = await users.AddAsync("teacher", UserRole.Instructor, "a long password 2");
        await AppliedLabAsync(teacher.Id, "demo-for-class", idleMinutes: 60 * 24 * 7);

        Assert.Empty(await _reaper.ReapOnceAsync(Cancel));
        Assert.Empty(_agent.Calls);
    }

    [Fact]
    public async Task A_destroy_that_fails_is_reported_and_the_lab_stays_recorded_as_applied_for_the_next_pass()
    {
        var idle = await AppliedLabAsync(Student, "stuck", idleMinutes: StudentLimitMinutes + 1);
        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Failed("The NetLab agent is not running", errorCode: AgentGateway.Unavailable));

        var reaped = Assert.Single(await _reaper.ReapOnceAsync(Cancel));

        Assert.False(reaped.Destroyed);
        Assert.Equal("The NetLab agent is not running", reaped.Error);
        Assert.Equal(1, (await _db.Store.GetLabAsync(Student, idle.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task Keep_and_activity_are_the_owners_only_and_only_for_applied_labs()
    {
        var applied = await AppliedLabAsync(Student, "mine", idleMinutes: 30);
        // The first account takes over the store's local user (the lab's owner); the second is someone else.
        var users = new UserStore(_db.Database, TimeProvider.System);
        Assert.Equal(Student, (await users.AddAsync("alice", UserRole.Student, "a long password 1")).Id);
        var other = await users.AddAsync("bob", UserRole.Student, "a long password 2");
        var notApplied = (await _db.Store.CreateAsync(Student, "name: plain\n")).Value!;

        Assert.False(await _activity.KeepAsync(other.Id, applied.Id));
        Assert.Null(await _activity.GetAppliedAsync(other.Id, applied.Id));
        Assert.False(await _activity.KeepAsync(Student, notApplied.Id));
        Assert.Null(await _activity.GetAppliedAsync(Student, notApplied.Id));

        var read = (await _activity.GetAppliedAsync(Student, applied.Id))!;
        Assert.InRange(DateTimeOffset.UtcNow - read.LastActivity, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        Assert.Equal(UserRole.Student, read.OwnerRole);
    }

    [Fact]
    public void An_idle_limit_below_one_minute_is_refused_at_start_up_naming_the_setting()
    {
        var options = new QuotaOptions();
        options.Student.IdleAppliedMinutes = 0;
        options.IdleWarningMinutes = -1;

        var result = new QuotaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Quotas:Student:IdleAppliedMinutes is 0", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Quotas:IdleWarningMinutes is -1", StringComparison.Ordinal));
    }

    /// <summary>A lab applied at revision 1 whose every recorded time is <paramref name="idleMinutes"/> ago.</summary>
    private async Task<LabSummary> AppliedLabAsync(long owner, string name, int idleMinutes)
    {
        var lab = (await _db.Store.CreateAsync(owner, $"name: {name}\n")).Value!;
        Assert.True(await _db.Store.MarkAppliedAsync(owner, lab.Id, 1));
        await MakeIdleAsync(lab.Id, idleMinutes);
        return (await _db.Store.GetLabAsync(owner, lab.Id))!;
    }

    private async Task MakeIdleAsync(long labId, int idleMinutes)
    {
        var then = DateTimeOffset.UtcNow.AddMinutes(-idleMinutes).ToUnixTimeMilliseconds();
        using var connection = _db.Database.Open();
        await connection.ExecuteAsync(
            "UPDATE labs SET updated_ms = @then, applied_ms = @then, created_ms = @then, checks_updated_ms = NULL WHERE id = @id", new { then, id = labId });
    }

    private async Task AddRunAsync(long labId, bool ended, int agoMinutes)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-agoMinutes).ToUnixTimeMilliseconds();
        using var connection = _db.Database.Open();
        await connection.ExecuteAsync(
            "INSERT INTO runs (owner_id, lab_id, revision, yaml, kernel_lab, status, started_ms, ended_ms) " +
            "SELECT owner_id, id, 1, 'name: x', kernel_name, @status, @at, @ended FROM labs WHERE id = @labId",
            new { labId, at, ended = ended ? at : (long?)null, status = ended ? "succeeded" : "running" });
    }
}
