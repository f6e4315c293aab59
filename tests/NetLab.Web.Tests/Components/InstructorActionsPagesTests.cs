using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Components.Pages;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Courses;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// The instructor's actions in the pages: Reset on an overview row and Destroy all labs, each after a confirmation
/// (destroy all lists its failures with their reasons); the course's audit log page, for its instructor only.
/// </summary>
public sealed class InstructorActionsPagesTests : IAsyncDisposable
{
    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public InstructorActionsPagesTests() => _context = new WebTestContext(services =>
    {
        services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet"));
        services.AddSingleton<RosterImport>();
    });

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task Reset_on_a_students_row_asks_first_then_resets_the_copy_to_the_template()
    {
        var room = await ClassroomAsync("alice", "bob");
        var copy = await room.AppliedCopyAsync("alice");
        await _context.Store.SaveRevisionAsync(copy.OwnerId, copy.Id, room.Assignment.TemplateYaml.Replace("mode: bridge", "mode: vepa", StringComparison.Ordinal));
        _context.Agent.Outcome.SetResult(Classroom.Destroyed(copy.KernelName));
        _signedIn = room.Teacher;
        var page = Overview(room);
        Assert.Empty(page.FindAll(".overview-row[data-student='bob'] button.overview-reset")); // bob has no copy to reset

        page.Find(".overview-row[data-student='alice'] button.overview-reset").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("Reset alice's lab?", _context.Dialogs.Markup, StringComparison.Ordinal));
        LabChecksPanelTests.Button(_context.Dialogs, "Cancel").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.DoesNotContain("Reset alice's lab?", _context.Dialogs.Markup, StringComparison.Ordinal));
        Assert.Empty(_context.Agent.Calls);
        Assert.Equal(2, (await _context.Store.GetLabAsync(copy.OwnerId, copy.Id))!.CurrentRevision);

        page.Find(".overview-row[data-student='alice'] button.overview-reset").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("Reset alice's lab?", _context.Dialogs.Markup, StringComparison.Ordinal));
        LabChecksPanelTests.Button(_context.Dialogs, "Reset").Click();

        page.WaitForAssertion(() => Assert.Equal("alice's copy was reset: revision 3 is the template.", page.Find(".overview-action-message").TextContent.Trim()));
        Assert.Equal([$"destroy {copy.KernelName}"], _context.Agent.Calls);
        Assert.Equal(room.Assignment.TemplateYaml, (await _context.Store.GetCurrentRevisionAsync(copy.OwnerId, copy.Id))!.Yaml);
        page.WaitForAssertion(() => Assert.Equal("no", page.Find(".overview-row[data-student='alice'] .overview-applied").TextContent.Trim()));
    }

    [Fact]
    public async Task Destroy_all_asks_first_then_lists_the_copies_it_could_not_destroy_with_why()
    {
        var room = await ClassroomAsync("alice", "bob");
        var alice = await room.AppliedCopyAsync("alice");
        var bob = await room.AppliedCopyAsync("bob");
        _context.Agent.DestroyOf = lab => lab.Name == alice.KernelName ? Classroom.AgentMissing() : Classroom.Destroyed(lab.Name);
        _signedIn = room.Teacher;
        var page = Overview(room);

        page.Find("button.overview-destroy-all").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("Destroy all labs of this assignment?", _context.Dialogs.Markup, StringComparison.Ordinal));
        LabChecksPanelTests.Button(_context.Dialogs, "Destroy all").Click();

        page.WaitForAssertion(() => Assert.StartsWith("1 of 2 applied copies were destroyed; 1 were not", page.Find(".overview-action-message").TextContent.Trim(), StringComparison.Ordinal));
        var failure = Assert.Single(page.FindAll(".overview-destroy-failure"));
        Assert.Equal("alice", failure.GetAttribute("data-student"));
        Assert.Contains("The NetLab agent is not running", failure.TextContent, StringComparison.Ordinal);
        Assert.Equal([$"destroy {alice.KernelName}", $"destroy {bob.KernelName}"], _context.Agent.Calls);
        Assert.Null((await _context.Store.GetLabAsync(bob.OwnerId, bob.Id))!.AppliedRevision);
        Assert.Equal(1, (await _context.Store.GetLabAsync(alice.OwnerId, alice.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task The_audit_page_shows_the_instructor_who_did_what_to_whose_lab_and_the_course_page_links_it()
    {
        var room = await ClassroomAsync("alice");
        var copy = await room.AppliedCopyAsync("alice");
        Assert.True(await _context.Store.ClearAppliedAsync(copy.OwnerId, copy.Id, new AuditActor(room.Teacher.Id, AuditActions.DestroyAll)));
        _signedIn = room.Teacher;

        var course = _context.Bunit.Render<CoursePage>(p => p.Add(c => c.CourseId, room.Course.Id));
        var audit = _context.Bunit.Render<CourseAudit>(p => p.Add(c => c.CourseId, room.Course.Id));

        course.WaitForAssertion(() => Assert.Equal($"courses/{room.Course.Id}/audit", course.Find("a.course-audit").GetAttribute("href")));
        var rows = audit.FindAll(".audit-row");
        Assert.Equal(["destroy-all", "apply"], rows.Select(r => r.QuerySelector(".audit-action")!.TextContent.Trim()));
        Assert.Equal(["teacher", "alice"], rows.Select(r => r.QuerySelector(".audit-actor")!.TextContent.Trim()));
        Assert.All(rows, r => Assert.Equal($"alice (lab {copy.Id})", r.QuerySelector(".audit-subject")!.TextContent.Trim()));
        Assert.Equal("page 1, newest first, 200 per page", audit.Find(".audit-page-number").TextContent.Trim());
    }

    [Fact]
    public async Task A_student_of_the_course_and_another_instructor_read_that_there_is_no_such_course_on_the_audit_page()
    {
        var room = await ClassroomAsync("alice");
        await room.AppliedCopyAsync("alice");

        foreach (var who in new[] { room.Students["alice"], room.OtherTeacher })
        {
            _signedIn = who;
            var audit = _context.Bunit.Render<CourseAudit>(p => p.Add(c => c.CourseId, room.Course.Id));
            var missing = _context.Bunit.Render<CourseAudit>(p => p.Add(c => c.CourseId, room.Course.Id + 100));

            Assert.Equal($"There is no course {room.Course.Id} of yours.", audit.Find(".audit-missing").TextContent);
            Assert.Equal($"There is no course {room.Course.Id + 100} of yours.", missing.Find(".audit-missing").TextContent);
            Assert.Empty(audit.FindAll(".audit-row"));
        }
    }

    private IRenderedComponent<AssignmentOverview> Overview(Classroom room) =>
        _context.Bunit.Render<AssignmentOverview>(p => p.Add(o => o.CourseId, room.Course.Id).Add(o => o.AssignmentId, room.Assignment.Id));

    private Task<Classroom> ClassroomAsync(params string[] students) => Classroom.CreateAsync(
        _context.Bunit.Services.GetRequiredService<CourseStore>(), _context.Store, _context.Bunit.Services.GetRequiredService<UserStore>(), students);
}
