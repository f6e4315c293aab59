using Microsoft.Extensions.Time.Testing;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// Courses and assignments in the store: an instructor manages only their own courses, a student sees only courses they
/// are enrolled in and assignments already open, a student's copy is made once, and submissions after the due time are late.
/// </summary>
public sealed class CourseStoreTests : IDisposable
{
    private const string Checks = "checks:\n  - { interface: ns2/macvlan2, exists: true }\n";

    private static readonly string Template = RepositoryFiles.Lab("macvlan-bridge.yaml");

    private readonly TempDatabase _db = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly UserStore _users;
    private readonly CourseStore _courses;

    public CourseStoreTests()
    {
        _users = new UserStore(_db.Database, _time);
        _courses = new CourseStore(_db.Database, _db.Store, _users, _time);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Only_an_instructor_creates_a_course_and_a_student_sees_only_the_courses_they_are_enrolled_in()
    {
        var (teacher, other, alice, bob) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("other", UserRole.Instructor), await UserAsync("alice"), await UserAsync("bob"));
        var course = (await _courses.CreateCourseAsync(teacher, "Networks 101")).Value!;
        var refused = await _courses.CreateCourseAsync(alice, "mine");
        Assert.True((await _courses.EnrolAsync(teacher, course.Id, "alice")).Succeeded);

        Assert.Equal("role", Assert.Single(refused.Problems).Path);
        Assert.Equal(["Networks 101"], (await _courses.ListCoursesAsync(alice)).Select(c => c.Name));
        Assert.Empty(await _courses.ListCoursesAsync(bob));
        Assert.Null(await _courses.GetCourseAsync(bob, course.Id));
        Assert.Null(await _courses.TaughtCourseAsync(other, course.Id));
        Assert.False((await _courses.EnrolAsync(other, course.Id, "bob")).Succeeded); // another instructor's course is not there
        Assert.False((await _courses.EnrolAsync(teacher, course.Id, "other")).Succeeded); // an instructor is not enrolled as a student
        Assert.Equal(["alice"], (await _courses.ListStudentsAsync(teacher, course.Id)).Select(s => s.Name));
        Assert.Empty(await _courses.ListStudentsAsync(other, course.Id));
    }

    [Fact]
    public async Task A_student_sees_an_assignment_once_it_starts_and_not_before()
    {
        var (teacher, alice) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("alice"));
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;
        await _courses.EnrolAsync(teacher, course.Id, "alice");
        var later = (await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("later", Template, Checks: Checks, Starts: _time.GetUtcNow().AddHours(1)))).Value!;

        Assert.Empty(await _courses.ListAssignmentsAsync(alice, course.Id));
        Assert.Null(await _courses.GetAssignmentAsync(alice, later.Id));
        Assert.False((await _courses.OpenCopyAsync(alice, later.Id)).Succeeded);
        Assert.Single(await _courses.ListAssignmentsAsync(teacher, course.Id));

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(["later"], (await _courses.ListAssignmentsAsync(alice, course.Id)).Select(a => a.Title));
    }

    [Fact]
    public async Task Publishing_refuses_an_invalid_template_invalid_checks_and_a_due_time_before_the_start()
    {
        var teacher = await UserAsync("teacher", UserRole.Instructor);
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;

        var badLab = await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("a", "name: bad name\n"));
        var badChecks = await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("b", Template, Checks: "checks:\n  - { interface: nowhere/eth9, exists: true }\n"));
        var badTimes = await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("c", Template, Starts: _time.GetUtcNow(), Due: _time.GetUtcNow()));

        Assert.StartsWith("template.", badLab.Problems[0].Path, StringComparison.Ordinal);
        Assert.StartsWith("checks.", badChecks.Problems[0].Path, StringComparison.Ordinal);
        Assert.Equal("due", Assert.Single(badTimes.Problems).Path);
        Assert.Empty(await _courses.ListAssignmentsAsync(teacher, course.Id));
    }

    [Fact]
    public async Task A_students_copy_is_made_once_even_when_two_opens_race_and_its_first_revision_is_the_template()
    {
        var (teacher, alice) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("alice"));
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;
        await _courses.EnrolAsync(teacher, course.Id, "alice");
        await _db.Store.CreateAsync(alice.Id, Template, "macvlan-bridge"); // a lab of the template's name already: the copy takes another
        var assignment = (await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("vepa", Template))).Value!;

        var opens = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _courses.OpenCopyAsync(alice, assignment.Id)));
        var again = await _courses.OpenCopyAsync(alice, assignment.Id);

        Assert.All(opens, open => Assert.True(open.Succeeded, string.Join("; ", open.Problems.Select(p => p.Message))));
        Assert.Single(opens.Select(o => o.Value!.Id).Distinct());
        Assert.Equal(opens[0].Value!.Id, again.Value!.Id);
        Assert.Equal("macvlan-bridge-2", again.Value.Name);
        Assert.Equal(2, (await _db.Store.ListLabsAsync(alice.Id)).Count);
        Assert.Equal(Template, (await _db.Store.GetRevisionAsync(alice.Id, again.Value.Id, 1))!.Yaml);
    }

    [Fact]
    public async Task A_students_copy_carries_the_assignments_checks_so_check_my_work_grades_what_the_instructor_will()
    {
        var (teacher, alice) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("alice"));
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;
        await _courses.EnrolAsync(teacher, course.Id, "alice");
        var assignment = (await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("a", Template, Checks: Checks))).Value!;

        var copy = (await _courses.OpenCopyAsync(alice, assignment.Id)).Value!;

        Assert.Equal(Checks, (await _db.Store.GetChecksAsync(alice.Id, copy.Id))!.Text);
    }

    [Fact]
    public async Task A_student_not_enrolled_cannot_open_or_submit_and_a_submission_after_the_due_time_is_late()
    {
        var (teacher, alice, bob) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("alice"), await UserAsync("bob"));
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;
        await _courses.EnrolAsync(teacher, course.Id, "alice");
        var assignment = (await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("a", Template, Checks: Checks, Due: _time.GetUtcNow().AddDays(1)))).Value!;
        var copy = (await _courses.OpenCopyAsync(alice, assignment.Id)).Value!;
        var graded = await GradedRunAsync(alice, copy.Id, Checks);

        var onTime = (await _courses.SubmitAsync(alice, assignment.Id, graded)).Value!;
        _time.Advance(TimeSpan.FromDays(2));
        var late = (await _courses.SubmitAsync(alice, assignment.Id, graded)).Value!;
        var stranger = await _courses.SubmitAsync(bob, assignment.Id, graded);

        Assert.False(onTime.Late);
        Assert.True(late.Late);
        Assert.Equal((1, 2, graded), (late.Passed, late.Total, late.RunId)); // the run's grade, not figures of the caller's
        Assert.False(stranger.Succeeded);
        Assert.False((await _courses.OpenCopyAsync(bob, assignment.Id)).Succeeded);
        Assert.Equal([late.Id, onTime.Id], (await _courses.ListSubmissionsAsync(teacher, assignment.Id)).Select(s => s.Id));
        Assert.Equal([late.Id, onTime.Id], (await _courses.ListSubmissionsAsync(alice, assignment.Id)).Select(s => s.Id));
        Assert.Empty(await _courses.ListSubmissionsAsync(bob, assignment.Id));
    }

    [Fact]
    public async Task A_students_copy_grades_with_the_assignments_checks()
    {
        var (teacher, alice) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("alice"));
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;
        await _courses.EnrolAsync(teacher, course.Id, "alice");
        var assignment = (await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("a", Template, Checks: Checks))).Value!;

        var copy = (await _courses.OpenCopyAsync(alice, assignment.Id)).Value!;

        Assert.Equal(Checks, (await _db.Store.GetChecksAsync(alice.Id, copy.Id))!.Text);
    }

    [Fact]
    public async Task A_submission_is_only_a_graded_run_of_the_students_own_copy_graded_with_the_assignments_checks()
    {
        var (teacher, alice, bob) = (await UserAsync("teacher", UserRole.Instructor), await UserAsync("alice"), await UserAsync("bob"));
        var course = (await _courses.CreateCourseAsync(teacher, "c")).Value!;
        await _courses.EnrolAsync(teacher, course.Id, "alice");
        await _courses.EnrolAsync(teacher, course.Id, "bob");
        var assignment = (await _courses.PublishAsync(teacher, course.Id, new AssignmentDraft("a", Template, Checks: Checks))).Value!;
        var alicesCopy = (await _courses.OpenCopyAsync(alice, assignment.Id)).Value!;
        var bobsCopy = (await _courses.OpenCopyAsync(bob, assignment.Id)).Value!;
        var alicesOtherLab = (await _db.Store.CreateAsync(alice.Id, Template, "other")).Value!;

        var bobsRun = await GradedRunAsync(bob, bobsCopy.Id, Checks);
        var otherLabsRun = await GradedRunAsync(alice, alicesOtherLab.Id, Checks);
        var rewrittenChecks = await GradedRunAsync(alice, alicesCopy.Id, "checks:\n  - { interface: ns2/macvlan2, exists: false }\n");
        var ungraded = await new RunStore(_db.Database, _time).CreateRunAsync(alice.Id, alicesCopy.Id, 1, Template, "vepa", "", "");

        foreach (var run in new[] { bobsRun, otherLabsRun, rewrittenChecks, ungraded.Id, long.MaxValue })
        {
            Assert.Equal("run", Assert.Single((await _courses.SubmitAsync(alice, assignment.Id, run)).Problems).Path);
        }

        Assert.Empty(await _courses.ListSubmissionsAsync(teacher, assignment.Id));
    }

    /// <summary>A run of the lab graded as Check my work records it: with <paramref name="checks"/>, 1 of 2 passed.</summary>
    private async Task<long> GradedRunAsync(CurrentUser owner, long labId, string checks) =>
        (await new RunStore(_db.Database, _time).RecordGradingAsync(owner.Id, labId,
            new GradingRecord(1, Template, "vepa", checks, _time.GetUtcNow(), Grading.GradeStoreTests.Grade(), null)))!.Id;

    private async Task<CurrentUser> UserAsync(string name, UserRole role = UserRole.Student)
    {
        var account = await _users.AddAsync(name, role, "a-good-password");
        return new CurrentUser(account.Id, account.Name) { Role = role };
    }
}
