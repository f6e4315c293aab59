using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Components.Pages;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// The instructor's overview of an assignment: a row per enrolled student that follows what the student does (open
/// the copy, apply, submit) within about a second, without a reload; nobody else sees it.
/// </summary>
public sealed class AssignmentOverviewTests : IAsyncDisposable
{
    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public AssignmentOverviewTests() => _context = new WebTestContext(services =>
    {
        services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet"));
    });

    private CourseStore Courses => _context.Bunit.Services.GetRequiredService<CourseStore>();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task The_page_renders_again_only_when_a_row_changed()
    {
        var (teacher, alice, course, assignment) = await ClassAsync();
        _signedIn = teacher;
        var page = _context.Bunit.Render<AssignmentOverview>(p => p.Add(o => o.CourseId, course.Id).Add(o => o.AssignmentId, assignment.Id));
        page.WaitForElement(".overview-row");
        var renders = page.RenderCount;

        // Eight reads of an unchanged store: no render, so the rows' buttons keep the handlers a click is sent to.
        await Task.Delay(AssignmentOverview.RefreshInterval * 8, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(renders, page.RenderCount);

        await Courses.OpenCopyAsync(alice, assignment.Id);
        page.WaitForAssertion(() => Assert.StartsWith("revision", Row(page, "alice", ".overview-copy"), StringComparison.Ordinal));
        Assert.True(page.RenderCount > renders);
    }

    [Fact]
    public async Task A_students_row_follows_their_copy_apply_and_submission_while_the_page_is_open()
    {
        var (teacher, alice, course, assignment) = await ClassAsync();
        _signedIn = teacher;
        var page = _context.Bunit.Render<AssignmentOverview>(p => p.Add(o => o.CourseId, course.Id).Add(o => o.AssignmentId, assignment.Id));
        Assert.Equal("not opened", Row(page, "alice", ".overview-copy"));
        Assert.Equal("not opened", Row(page, "bob", ".overview-copy"));

        var copy = (await Courses.OpenCopyAsync(alice, assignment.Id)).Value!;
        await _context.Store.MarkAppliedAsync(alice.Id, copy.Id, 1);
        var graded = await new RunStore(_context.Database, TimeProvider.System).RecordGradingAsync(alice.Id, copy.Id,
            new GradingRecord(1, assignment.TemplateYaml, "macvlan-bridge", assignment.Checks, DateTimeOffset.UtcNow, NetLab.Web.Tests.Grading.GradeStoreTests.Grade(), null));
        Assert.True((await Courses.SubmitAsync(alice, assignment.Id, graded!.Id)).Succeeded);

        page.WaitForAssertion(() =>
        {
            Assert.Equal("revision 1", Row(page, "alice", ".overview-copy"));
            Assert.Equal("revision 1", Row(page, "alice", ".overview-applied"));
            Assert.Equal("1 of 2", Row(page, "alice", ".overview-submitted"));
            Assert.Equal("1 of 2 passed", Row(page, "alice", ".overview-check"));
        });
        Assert.Equal("not opened", Row(page, "bob", ".overview-copy"));
        Assert.Equal("1 of 2 opened, 1 applied, 1 submitted", string.Join(' ', page.Find(".overview-counts").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_student_of_the_course_or_another_instructor_reads_that_there_is_no_such_assignment()
    {
        var (_, alice, course, assignment) = await ClassAsync();
        var users = _context.Bunit.Services.GetRequiredService<UserStore>();
        var other = await users.AddAsync("other", UserRole.Instructor, "a-good-password");

        foreach (var who in new[] { alice, new CurrentUser(other.Id, other.Name) { Role = UserRole.Instructor } })
        {
            _signedIn = who;
            var page = _context.Bunit.Render<AssignmentOverview>(p => p.Add(o => o.CourseId, course.Id).Add(o => o.AssignmentId, assignment.Id));

            Assert.Equal($"There is no assignment {assignment.Id} of yours to oversee.", page.Find(".overview-missing").TextContent);
            Assert.Empty(page.FindAll(".overview-row"));
        }
    }

    private static string Row(IRenderedComponent<AssignmentOverview> page, string student, string cell) =>
        page.Find($".overview-row[data-student='{student}'] {cell}").TextContent.Trim();

    private async Task<(CurrentUser Teacher, CurrentUser Alice, Course Course, Assignment Assignment)> ClassAsync()
    {
        var users = _context.Bunit.Services.GetRequiredService<UserStore>();
        var teacherAccount = await users.AddAsync("teacher", UserRole.Instructor, "a-good-password");
        var aliceAccount = await users.AddAsync("alice", UserRole.Student, "a-good-password");
        await users.AddAsync("bob", UserRole.Student, "a-good-password");
        var teacher = new CurrentUser(teacherAccount.Id, teacherAccount.Name) { Role = UserRole.Instructor };
        var course = (await Courses.CreateCourseAsync(teacher, "c")).Value!;
        await Courses.EnrolAsync(teacher, course.Id, "alice");
        await Courses.EnrolAsync(teacher, course.Id, "bob");
        var assignment = (await Courses.PublishAsync(teacher, course.Id, new AssignmentDraft("a", RepositoryFiles.Lab("macvlan-bridge.yaml"), Checks: NetLab.Web.Tests.Grading.GradeStoreTests.Checks))).Value!;
        return (teacher, new CurrentUser(aliceAccount.Id, aliceAccount.Name), course, assignment);
    }
}
