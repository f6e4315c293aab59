using System.Net;
using NetLab.Web.Api;
using NetLab.Web.Courses;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Api.ApiWeb;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// An instructor's reset, "destroy all", audit log and grades through the JSON API, as the overview and course pages
/// do them: for the course's instructor only (a student 403, another instructor 404 like a missing id).
/// </summary>
public sealed class CourseRecordsApiTests : IAsyncDisposable
{
    private readonly ApiWeb _web = new();

    public ValueTask DisposeAsync() => _web.DisposeAsync();

    [Fact]
    public async Task Destroy_all_reset_the_audit_log_and_the_grades_of_a_course()
    {
        var (teacher, alice, course, assignment) = await PublishedAsync();
        using var opened = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/copy");
        var copy = await ReadAsync<ApiLab>(opened);
        using var edited = await SendAsync(alice, HttpMethod.Put, $"/api/labs/{copy.Id}/yaml", Text(assignment.TemplateYaml + "# alice was here\n", "application/yaml"));
        using var applied = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{copy.Id}/apply");
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var aliceId = (await _web.UserAsync("alice")).Id;

        using var destroyed = await SendAsync(teacher, HttpMethod.Post, $"/api/assignments/{assignment.Id}/destroy-all");
        var outcome = await ReadAsync<DestroyAllOutcome>(destroyed);
        Assert.Equal((1, 1, 0), (outcome.Total, outcome.Destroyed, outcome.Failures.Count));
        Assert.Null((await _web.Service<LabStore>().GetLabAsync(aliceId, copy.Id))!.AppliedRevision);

        using var reset = await SendAsync(teacher, HttpMethod.Post, $"/api/assignments/{assignment.Id}/students/{aliceId}/reset");
        var revision = await ReadAsync<ApiReset>(reset);
        Assert.Equal((copy.Id, 3), (revision.LabId, revision.Revision));
        Assert.Equal(assignment.TemplateYaml, (await _web.Service<LabStore>().GetCurrentRevisionAsync(aliceId, copy.Id))!.Yaml);

        using var audit = await SendAsync(teacher, HttpMethod.Get, $"/api/courses/{course.Id}/audit?page=1");
        var page = await ReadAsync<AuditPage>(audit);
        Assert.Equal([AuditActions.Reset, AuditActions.DestroyAll, AuditActions.Apply], page.Entries.Select(e => e.Action));

        using var grades = await SendAsync(teacher, HttpMethod.Get, $"/api/courses/{course.Id}/grades");
        var row = Assert.Single(await ReadAsync<List<GradeRow>>(grades));
        Assert.Equal(("alice", "Bridge", (int?)null), (row.UserName, row.Assignment, row.Passed));
    }

    [Fact]
    public async Task A_student_gets_403_and_another_instructor_404_on_every_route()
    {
        var (_, alice, course, assignment) = await PublishedAsync();
        var other = await _web.TokenClientAsync("other", UserRole.Instructor);
        var aliceId = (await _web.UserAsync("alice")).Id;
        (HttpMethod Method, string Path)[] routes =
        [
            (HttpMethod.Post, $"/api/assignments/{assignment.Id}/students/{aliceId}/reset"),
            (HttpMethod.Post, $"/api/assignments/{assignment.Id}/destroy-all"),
            (HttpMethod.Get, $"/api/courses/{course.Id}/audit"),
            (HttpMethod.Get, $"/api/courses/{course.Id}/grades"),
        ];

        foreach (var (method, path) in routes)
        {
            using var asStudent = await SendAsync(alice, method, path);
            using var asOther = await SendAsync(other, method, path);
            Assert.Equal(403, (await ErrorAsync(asStudent)).Status);
            Assert.Equal(404, (await ErrorAsync(asOther)).Status);
        }

        Assert.DoesNotContain(_web.Agent.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    private async Task<(HttpClient Teacher, HttpClient Alice, ApiCourse Course, ApiAssignment Assignment)> PublishedAsync()
    {
        var published = await _web.PublishedCourseAsync();
        return (published.Teacher, published.Alice, published.Course, published.Assignment);
    }
}
