using System.Net;
using NetLab.Web.Api;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Api.ApiWeb;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// Courses through the JSON API: an instructor creates them, keeps rosters and publishes assignments; a student lists
/// and reads the courses they are enrolled in. A student asking an instructor's route is 403 whatever the id; another
/// instructor's course is the same 404 as a missing one.
/// </summary>
public sealed class CoursesApiTests : IAsyncDisposable
{
    private readonly ApiWeb _web = new();

    public ValueTask DisposeAsync() => _web.DisposeAsync();

    [Fact]
    public async Task An_instructor_creates_a_course_enrols_lists_and_removes_a_student()
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        var alice = await _web.UserAsync("alice");

        using var created = await SendAsync(teacher, HttpMethod.Post, "/api/courses", Json(new { name = "Networks" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var course = await ReadAsync<ApiCourse>(created);
        Assert.True(course.Teaching);

        using var enrolled = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/students", Json(new { user = "alice" }));
        Assert.Equal(alice.Id, (await ReadAsync<EnrolledStudent>(enrolled)).Id);
        using var unknown = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/students", Json(new { user = "nobody" }));
        var refusal = await ErrorAsync(unknown);
        Assert.Equal((400, "invalid"), (refusal.Status, refusal.Error));
        Assert.Contains("netlab user add", refusal.Message, StringComparison.Ordinal);

        using var listed = await SendAsync(teacher, HttpMethod.Get, $"/api/courses/{course.Id}/students");
        Assert.Equal("alice", Assert.Single(await ReadAsync<List<EnrolledStudent>>(listed)).Name);
        using var read = await SendAsync(teacher, HttpMethod.Get, $"/api/courses/{course.Id}");
        Assert.Equal("Networks", (await ReadAsync<ApiCourse>(read)).Name);
        using var courses = await SendAsync(teacher, HttpMethod.Get, "/api/courses");
        Assert.Equal(course.Id, Assert.Single(await ReadAsync<List<ApiCourse>>(courses)).Id);

        using var removed = await SendAsync(teacher, HttpMethod.Delete, $"/api/courses/{course.Id}/students/{alice.Id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty(await _web.Service<CourseStore>().ListStudentsAsync(new CurrentUser(course.InstructorId, "teacher") { Role = UserRole.Instructor }, course.Id));
        using var again = await SendAsync(teacher, HttpMethod.Delete, $"/api/courses/{course.Id}/students/{alice.Id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_roster_for_single_sign_on_is_refused_where_the_web_has_none_and_nothing_is_imported()
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        using var created = await SendAsync(teacher, HttpMethod.Post, "/api/courses", Json(new { name = "Networks" }));
        var course = await ReadAsync<ApiCourse>(created);

        using var refused = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/roster?sso=true", Text("username\ncarol\n", "text/csv"));

        var error = await ErrorAsync(refused);
        Assert.Equal((400, "no-single-sign-on"), (error.Status, error.Error));
        Assert.Contains("Web:Oidc:Authority", error.Message, StringComparison.Ordinal);
        Assert.Null(await _web.Service<UserStore>().FindAsync("carol"));
    }

    [Fact]
    public async Task A_roster_import_answers_the_one_time_passwords_once_and_a_bad_roster_changes_nothing()
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        await _web.UserAsync("bob");
        var course = await CourseAsync(teacher);

        using var bad = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/roster", Text("username\ncarol\nnot a name!\n", "text/csv"));
        var refusal = await ErrorAsync(bad);
        Assert.Equal((400, "invalid-roster"), (refusal.Status, refusal.Error));
        Assert.Contains("line 3", refusal.Message, StringComparison.Ordinal);
        Assert.Null(await _web.Service<UserStore>().FindAsync("carol"));

        using var imported = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/roster", Text("username,display_name\ncarol,Carol\nbob,Bob\n", "text/csv"));
        var roster = await ReadAsync<ApiRoster>(imported);
        Assert.True(imported.Headers.CacheControl?.NoStore);

        var carol = Assert.Single(roster.Entries, e => e.UserName == "carol");
        Assert.True(carol.Created);
        Assert.Equal(SignInOutcome.SignedIn, (await _web.Service<UserStore>().VerifyAsync("carol", carol.OneTimePassword!)).Outcome);
        Assert.Null(Assert.Single(roster.Entries, e => e.UserName == "bob").OneTimePassword);
        using var students = await SendAsync(teacher, HttpMethod.Get, $"/api/courses/{course.Id}/students");
        Assert.Equal(["bob", "carol"], (await ReadAsync<List<EnrolledStudent>>(students)).Select(s => s.Name));
    }

    [Fact]
    public async Task An_assignment_is_published_from_a_template_with_generated_checks_or_from_the_instructors_lab()
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        var course = await CourseAsync(teacher);
        using var ownLab = await SendAsync(teacher, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-vepa", name = "mine" }));
        var lab = await ReadAsync<ApiLab>(ownLab);

        using var fromTemplate = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/assignments",
            Json(new { title = "Hairpin", template = "macvlan-vepa-hairpin", generateChecks = true, due = "2030-01-01T00:00:00Z" }));
        using var fromLab = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/assignments", Json(new { title = "Mine", lab = lab.Id }));
        using var both = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/assignments", Json(new { title = "Two", lab = lab.Id, template = "macvlan-vepa" }));
        using var noTitle = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/assignments", Json(new { template = "macvlan-vepa" }));

        Assert.Equal(HttpStatusCode.Created, fromTemplate.StatusCode);
        var hairpin = await ReadAsync<ApiAssignment>(fromTemplate);
        Assert.Equal(RepositoryFiles.Lab("macvlan-vepa-hairpin.yaml"), hairpin.TemplateYaml);
        Assert.Contains("reaches", hairpin.Checks, StringComparison.Ordinal);
        Assert.NotEmpty(hairpin.Guide);
        Assert.Equal(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), hairpin.Due);
        Assert.Equal(RepositoryFiles.Lab("macvlan-vepa.yaml"), (await ReadAsync<ApiAssignment>(fromLab)).TemplateYaml);
        Assert.Equal((400, "bad-request"), ((await ErrorAsync(both)).Status, (await ErrorAsync(both)).Error));
        Assert.Equal((400, "invalid"), ((await ErrorAsync(noTitle)).Status, (await ErrorAsync(noTitle)).Error));
        using var listed = await SendAsync(teacher, HttpMethod.Get, $"/api/courses/{course.Id}/assignments");
        Assert.Equal(["Hairpin", "Mine"], (await ReadAsync<List<ApiAssignment>>(listed)).Select(a => a.Title));
    }

    [Theory]
    [InlineData("POST", "/api/courses")]
    [InlineData("GET", "/api/courses/{course}/students")]
    [InlineData("POST", "/api/courses/{course}/students")]
    [InlineData("DELETE", "/api/courses/{course}/students/1")]
    [InlineData("POST", "/api/courses/{course}/roster")]
    [InlineData("POST", "/api/courses/{course}/assignments")]
    public async Task A_student_is_refused_every_instructors_route_with_403_even_in_their_own_course(string method, string path)
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        var course = await CourseAsync(teacher);
        await _web.UserAsync("alice");
        using var enrol = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/students", Json(new { user = "alice" }));
        var alice = await _web.TokenClientAsync("alice");

        using var answer = await SendAsync(alice, new HttpMethod(method), path.Replace("{course}", $"{course.Id}", StringComparison.Ordinal),
            method == "POST" && path.EndsWith("roster", StringComparison.Ordinal) ? Text("username\nmallory\n", "text/csv") : Json(new { name = "x", user = "mallory", title = "x", template = "macvlan-vepa" }));

        var (status, error, message) = await ErrorAsync(answer);
        Assert.Equal((403, "instructors-only"), (status, error));
        Assert.Contains("'alice' is a student", message, StringComparison.Ordinal);
        Assert.Null(await _web.Service<UserStore>().FindAsync("mallory"));
        Assert.Single(await _web.Service<CourseStore>().ListCoursesAsync(new CurrentUser(course.InstructorId, "teacher")));
    }

    [Theory]
    [InlineData("GET", "/api/courses/{course}")]
    [InlineData("GET", "/api/courses/{course}/students")]
    [InlineData("POST", "/api/courses/{course}/students")]
    [InlineData("DELETE", "/api/courses/{course}/students/{student}")]
    [InlineData("POST", "/api/courses/{course}/roster")]
    [InlineData("GET", "/api/courses/{course}/assignments")]
    [InlineData("POST", "/api/courses/{course}/assignments")]
    public async Task Another_instructors_course_answers_as_a_missing_one(string method, string path)
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        var course = await CourseAsync(teacher);
        var alice = await _web.UserAsync("alice");
        using var enrol = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/students", Json(new { user = "alice" }));
        var other = await _web.TokenClientAsync("other", UserRole.Instructor);

        HttpContent Body() => path.EndsWith("roster", StringComparison.Ordinal) ? Text("username\nmallory\n", "text/csv") : Json(new { user = "alice", title = "x", template = "macvlan-vepa" });
        using var others = await SendAsync(other, new HttpMethod(method), Route(path, course.Id, alice.Id), method == "GET" || method == "DELETE" ? null : Body());
        using var missing = await SendAsync(other, new HttpMethod(method), Route(path, course.Id + 100, alice.Id), method == "GET" || method == "DELETE" ? null : Body());

        var (status, error, message) = await ErrorAsync(others);
        Assert.Equal((404, "not-found"), (status, error));
        Assert.Equal(message.Replace($"{course.Id}", "N", StringComparison.Ordinal), (await ErrorAsync(missing)).Message.Replace($"{course.Id + 100}", "N", StringComparison.Ordinal));
        var owner = new CurrentUser(course.InstructorId, "teacher") { Role = UserRole.Instructor };
        Assert.Single(await _web.Service<CourseStore>().ListStudentsAsync(owner, course.Id));
        Assert.Empty(await _web.Service<CourseStore>().ListAssignmentsAsync(owner, course.Id));
    }

    [Fact]
    public async Task A_student_lists_and_reads_only_the_courses_they_are_enrolled_in()
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        var enrolledIn = await CourseAsync(teacher, "Enrolled");
        var notIn = await CourseAsync(teacher, "Not enrolled");
        await _web.UserAsync("alice");
        using var enrol = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{enrolledIn.Id}/students", Json(new { user = "alice" }));
        var alice = await _web.TokenClientAsync("alice");

        using var listed = await SendAsync(alice, HttpMethod.Get, "/api/courses");
        using var read = await SendAsync(alice, HttpMethod.Get, $"/api/courses/{enrolledIn.Id}");
        using var other = await SendAsync(alice, HttpMethod.Get, $"/api/courses/{notIn.Id}");

        var course = Assert.Single(await ReadAsync<List<ApiCourse>>(listed));
        Assert.Equal((enrolledIn.Id, false), (course.Id, course.Teaching));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    private static string Route(string path, long courseId, long studentId) =>
        path.Replace("{course}", $"{courseId}", StringComparison.Ordinal).Replace("{student}", $"{studentId}", StringComparison.Ordinal);

    private static async Task<ApiCourse> CourseAsync(HttpClient teacher, string name = "Networks")
    {
        using var created = await SendAsync(teacher, HttpMethod.Post, "/api/courses", Json(new { name }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await ReadAsync<ApiCourse>(created);
    }
}
