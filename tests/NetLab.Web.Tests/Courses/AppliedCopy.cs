using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// A student's copy of an assignment, applied: a course of "teacher"'s with "alice" enrolled, an assignment of the
/// bridge-mode lab graded by <see cref="GradeStoreTests.Checks"/>, and alice's copy of it marked applied.
/// </summary>
internal sealed record AppliedCopy(CurrentUser Teacher, CurrentUser Alice, Assignment Assignment, LabSummary Copy)
{
    /// <param name="courses">The store the course is made in.</param>
    /// <param name="users">Makes the two accounts (alice is taken as she is when she exists already, e.g. signed in).</param>
    /// <param name="labs">Records the copy as applied.</param>
    /// <param name="due">The assignment's due time.</param>
    /// <param name="showExplanations">Whether students read why a failed check failed.</param>
    public static async Task<AppliedCopy> MakeAsync(CourseStore courses, UserStore users, LabStore labs, DateTimeOffset? due = null, bool showExplanations = true)
    {
        var teacherAccount = await users.AddAsync("teacher", UserRole.Instructor, "a-good-password");
        var aliceAccount = await users.FindAsync("alice") ?? await users.AddAsync("alice", UserRole.Student, "a-good-password");
        var teacher = new CurrentUser(teacherAccount.Id, teacherAccount.Name) { Role = UserRole.Instructor };
        var alice = new CurrentUser(aliceAccount.Id, aliceAccount.Name);
        var course = (await courses.CreateCourseAsync(teacher, "c")).Value!;
        await courses.EnrolAsync(teacher, course.Id, "alice");
        var assignment = (await courses.PublishAsync(teacher, course.Id, new AssignmentDraft(
            "a", RepositoryFiles.Lab("macvlan-bridge.yaml"), Checks: GradeStoreTests.Checks, ShowExplanations: showExplanations, Due: due))).Value!;
        var copy = (await courses.OpenCopyAsync(alice, assignment.Id)).Value!;
        await labs.MarkAppliedAsync(alice.Id, copy.Id, 1);
        return new(teacher, alice, assignment, copy);
    }
}
