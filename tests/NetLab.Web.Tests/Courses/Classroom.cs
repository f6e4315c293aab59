using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// A course for the instructor's actions: its instructor, another instructor, enrolled students, and one assignment
/// of the macvlan-bridge template with checks; students' copies opened and applied on demand.
/// </summary>
internal sealed class Classroom
{
    private Classroom(CourseStore courses, LabStore labs, CurrentUser teacher, CurrentUser otherTeacher, IReadOnlyDictionary<string, CurrentUser> students, Course course, Assignment assignment) =>
        (Courses, Labs, Teacher, OtherTeacher, Students, Course, Assignment) = (courses, labs, teacher, otherTeacher, students, course, assignment);

    public CourseStore Courses { get; }

    public LabStore Labs { get; }

    public CurrentUser Teacher { get; }

    public CurrentUser OtherTeacher { get; }

    public IReadOnlyDictionary<string, CurrentUser> Students { get; }

    public Course Course { get; }

    public Assignment Assignment { get; }

    public static async Task<Classroom> CreateAsync(CourseStore courses, LabStore labs, UserStore users, params string[] students)
    {
        var teacher = await UserAsync(users, "teacher", UserRole.Instructor, "Tess Teacher");
        var other = await UserAsync(users, "other", UserRole.Instructor, "Otto Other");
        var course = (await courses.CreateCourseAsync(teacher, "Networks")).Value!;
        var enrolled = new Dictionary<string, CurrentUser>(StringComparer.Ordinal);
        foreach (var name in students)
        {
            enrolled[name] = await UserAsync(users, name, UserRole.Student, name);
            Assert.True((await courses.EnrolAsync(teacher, course.Id, name)).Succeeded);
        }

        var assignment = (await courses.PublishAsync(teacher, course.Id, new AssignmentDraft("vepa", RepositoryFiles.Lab("macvlan-bridge.yaml"), Checks: GradeStoreTests.Checks))).Value!;
        return new Classroom(courses, labs, teacher, other, enrolled, course, assignment);
    }

    /// <summary>The student's copy, opened (revision 1 = the template) and recorded as applied at <paramref name="revision"/>.</summary>
    public async Task<LabSummary> AppliedCopyAsync(string student, int revision = 1)
    {
        var copy = await OpenCopyAsync(student);
        Assert.True(await Labs.MarkAppliedAsync(copy.OwnerId, copy.Id, revision));
        return (await Labs.GetLabAsync(copy.OwnerId, copy.Id))!;
    }

    public async Task<LabSummary> OpenCopyAsync(string student) => (await Courses.OpenCopyAsync(Students[student], Assignment.Id)).Value!;

    /// <summary>A destroy the agent could not do: the NetLab agent is not running.</summary>
    public static AgentOutcome<ApplyResult> AgentMissing() => AgentOutcome<ApplyResult>.Failed(
        "The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`", errorCode: AgentGateway.Unavailable);

    public static AgentOutcome<ApplyResult> Destroyed(string kernelName) => AgentOutcome<ApplyResult>.Success(new ApplyResult(kernelName, true, 3, 3, 1.0));

    private static async Task<CurrentUser> UserAsync(UserStore users, string name, UserRole role, string displayName)
    {
        var account = await users.AddAsync(name, role, "a-good-password", displayName);
        return new CurrentUser(account.Id, account.Name) { Role = role, DisplayName = account.DisplayName };
    }
}
