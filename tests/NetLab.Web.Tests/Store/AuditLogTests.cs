using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Web.Agent;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Courses;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Store;

/// <summary>
/// The audit log: apply, destroy and submit of an assignment copy write their row with the store change they describe,
/// an action that fails writes none, a user's own lab is not logged, rows are never changed or deleted, and only the
/// course's instructor reads the course's log, a page of 200 at a time.
/// </summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly LiveLabs _live;
    private readonly UserStore _users;
    private readonly CourseStore _courses;
    private readonly LabApplication _application;
    private readonly AuditLog _log;

    public AuditLogTests()
    {
        _live = new LiveLabs(_agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        _users = new UserStore(_db.Database, TimeProvider.System);
        _courses = new CourseStore(_db.Database, _db.Store, _users, TimeProvider.System);
        _application = new LabApplication(_agent, _db.Store, _live);
        _log = new AuditLog(_db.Database);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _live.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Apply_destroy_and_submit_of_a_copy_each_write_their_row_newest_first()
    {
        var room = await ClassroomAsync("alice");
        var alice = room.Students["alice"];
        var copy = await room.OpenCopyAsync("alice");
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        Assert.True((await _application.ApplyAsync(alice.Id, copy.Id, 1, room.Assignment.TemplateYaml, _ => { }, Cancel)).Recorded);
        var run = await new RunStore(_db.Database, TimeProvider.System).RecordGradingAsync(alice.Id, copy.Id,
            new GradingRecord(1, room.Assignment.TemplateYaml, copy.KernelName, room.Assignment.Checks, DateTimeOffset.UtcNow, GradeStoreTests.Grade(), null));
        Assert.True((await _courses.SubmitAsync(alice, room.Assignment.Id, run!.Id)).Succeeded);
        Assert.True((await _application.DestroyAsync(alice.Id, copy.Id, _ => { }, Cancel)).Recorded);

        var entries = (await _log.ReadAsync(room.Teacher, room.Course.Id, 1))!.Entries;
        Assert.Equal(
            [(AuditActions.Destroy, "kernel lab destroyed"), (AuditActions.Submit, $"run {run.Id}: 1 of 2 checks passed"), (AuditActions.Apply, "revision 1")],
            entries.Select(e => (e.Action, e.Detail)));
        Assert.All(entries, e => Assert.Equal(
            (alice.Id, "alice", alice.Id, "alice", copy.Id, room.Assignment.Id, "vepa"),
            (e.ActorId, e.ActorName, e.SubjectId!.Value, e.SubjectName, e.LabId!.Value, e.AssignmentId!.Value, e.AssignmentTitle)));
    }

    [Fact]
    public async Task A_failed_apply_or_destroy_and_a_refused_submission_write_no_row()
    {
        var room = await ClassroomAsync("alice");
        var alice = room.Students["alice"];
        var copy = await room.OpenCopyAsync("alice");
        _agent.Outcome.SetResult(Classroom.AgentMissing());

        Assert.False((await _application.ApplyAsync(alice.Id, copy.Id, 1, room.Assignment.TemplateYaml, _ => { }, Cancel)).Recorded);
        Assert.False((await _application.DestroyAsync(alice.Id, copy.Id, _ => { }, Cancel)).Recorded);
        Assert.False((await _courses.SubmitAsync(alice, room.Assignment.Id, runId: 12345)).Succeeded);
        Assert.False(await _db.Store.MarkAppliedAsync(alice.Id, copy.Id, 7)); // no revision 7: nothing recorded

        Assert.Equal(0, Count());
    }

    [Fact]
    public async Task A_row_that_cannot_be_written_undoes_the_change_it_describes()
    {
        var room = await ClassroomAsync("alice");
        var alice = room.Students["alice"];
        var copy = await room.OpenCopyAsync("alice");
        Assert.True(await _db.Store.MarkAppliedAsync(alice.Id, copy.Id, 1));
        var run = await new RunStore(_db.Database, TimeProvider.System).RecordGradingAsync(alice.Id, copy.Id,
            new GradingRecord(1, room.Assignment.TemplateYaml, copy.KernelName, room.Assignment.Checks, DateTimeOffset.UtcNow, GradeStoreTests.Grade(), null));
        using (var connection = _db.Database.Open())
        {
            // The log refuses new rows from here on: each change must go with its row.
            connection.Execute("CREATE TRIGGER audit_log_refuse_insert BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no room in the log'); END");
        }

        await Assert.ThrowsAsync<SqliteException>(() => _db.Store.ClearAppliedAsync(alice.Id, copy.Id, new AuditActor(alice.Id, AuditActions.Destroy)));
        await Assert.ThrowsAsync<SqliteException>(() => _courses.SubmitAsync(alice, room.Assignment.Id, run!.Id));
        var seen = (await _db.Store.GetLabAsync(alice.Id, copy.Id))!;
        await Assert.ThrowsAsync<SqliteException>(() => _db.Store.ResetAsync(seen, room.Assignment.TemplateYaml, "", "reset", new AuditActor(room.Teacher.Id, AuditActions.Reset)));

        var lab = (await _db.Store.GetLabAsync(alice.Id, copy.Id))!;
        Assert.Equal((1, 1), (lab.AppliedRevision, lab.CurrentRevision));
        Assert.Empty(await _courses.ListSubmissionsAsync(alice, room.Assignment.Id));
        Assert.Equal(room.Assignment.Checks, (await _db.Store.GetChecksAsync(alice.Id, copy.Id))!.Text);
        Assert.Equal(1, Count()); // the apply's
    }

    [Fact]
    public async Task A_users_own_lab_is_not_logged()
    {
        var room = await ClassroomAsync("alice");
        var own = (await _db.Store.CreateAsync(room.Students["alice"].Id, RepositoryFiles.Lab("macvlan-bridge.yaml"), "own")).Value!;

        Assert.True(await _db.Store.MarkAppliedAsync(own.OwnerId, own.Id, 1));
        Assert.True(await _db.Store.ClearAppliedAsync(own.OwnerId, own.Id, new AuditActor(own.OwnerId, AuditActions.Destroy)));

        Assert.Equal(0, Count());
    }

    [Fact]
    public async Task The_log_refuses_to_change_or_delete_a_row()
    {
        var room = await ClassroomAsync("alice");
        await room.AppliedCopyAsync("alice");
        using var connection = _db.Database.Open();

        var update = Assert.Throws<SqliteException>(() => connection.Execute("UPDATE audit_log SET action = 'destroy', actor_id = 999"));
        var delete = Assert.Throws<SqliteException>(() => connection.Execute("DELETE FROM audit_log"));

        Assert.Contains("the audit log is append-only: its rows are never changed", update.Message, StringComparison.Ordinal);
        Assert.Contains("the audit log is append-only: its rows are never deleted", delete.Message, StringComparison.Ordinal);
        var row = Assert.Single(connection.Query<(string Action, long ActorId)>("SELECT action, actor_id FROM audit_log"));
        Assert.Equal((AuditActions.Apply, room.Students["alice"].Id), row);
    }

    [Fact]
    public async Task The_rows_outlive_the_lab_they_name()
    {
        var room = await ClassroomAsync("alice");
        var copy = await room.AppliedCopyAsync("alice");

        Assert.True(await _db.Store.DeleteAsync(copy.OwnerId, copy.Id));

        var entry = Assert.Single((await _log.ReadAsync(room.Teacher, room.Course.Id, 1))!.Entries);
        Assert.Equal((AuditActions.Apply, copy.Id), (entry.Action, entry.LabId!.Value));
    }

    [Fact]
    public async Task Only_the_courses_instructor_reads_its_log_200_rows_a_page_newest_first()
    {
        var room = await ClassroomAsync("alice");
        var copy = await room.OpenCopyAsync("alice");
        for (var i = 0; i < AuditLog.PageSize + 1; i++)
        {
            Assert.True(await _db.Store.ClearAppliedAsync(copy.OwnerId, copy.Id, new AuditActor(room.Teacher.Id, AuditActions.DestroyAll)));
        }

        var first = (await _log.ReadAsync(room.Teacher, room.Course.Id, 1))!;
        var second = (await _log.ReadAsync(room.Teacher, room.Course.Id, 2))!;

        Assert.Equal((AuditLog.PageSize, false, true), (first.Entries.Count, first.HasNewer, first.HasOlder));
        Assert.Equal((1, true, false), (second.Entries.Count, second.HasNewer, second.HasOlder));
        var ids = first.Entries.Concat(second.Entries).Select(e => e.Id).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Null(await _log.ReadAsync(room.Students["alice"], room.Course.Id, 1));
        Assert.Null(await _log.ReadAsync(room.OtherTeacher, room.Course.Id, 1));
        Assert.Null(await _log.ReadAsync(room.Teacher, room.Course.Id + 100, 1));
    }

    private Task<Classroom> ClassroomAsync(params string[] students) => Classroom.CreateAsync(_courses, _db.Store, _users, students);

    private long Count()
    {
        using var connection = _db.Database.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit_log");
    }
}
