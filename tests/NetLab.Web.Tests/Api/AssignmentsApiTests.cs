using System.Net;
using NetLab.Web.Accounts;
using NetLab.Web.Api;
using NetLab.Web.Courses;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Api.ApiWeb;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// Assignments through the JSON API, and a whole course scripted with bearer tokens only: the instructor creates the
/// course, imports the roster and publishes the assignment; a student signs in with the one-time password, opens a
/// copy, applies it, checks it and submits; the instructor reads the overview and the submissions.
/// </summary>
public sealed class AssignmentsApiTests : IAsyncDisposable
{
    private readonly ApiWeb _web = new();

    public ValueTask DisposeAsync() => _web.DisposeAsync();

    [Fact]
    public async Task A_course_is_scripted_end_to_end_with_tokens()
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        using var created = await SendAsync(teacher, HttpMethod.Post, "/api/courses", Json(new { name = "Networks 101" }));
        var course = await ReadAsync<ApiCourse>(created);
        using var imported = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/roster", Text("username,display_name\nalice,Alice\nbob,Bob\n", "text/csv"));
        var roster = await ReadAsync<ApiRoster>(imported);
        using var published = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/assignments",
            Json(new { title = "Hairpin", template = "macvlan-vepa-hairpin", generateChecks = true }));
        var assignment = await ReadAsync<ApiAssignment>(published);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        // The student signs in with the one-time password the import answered.
        var alicePassword = roster.Entries.Single(e => e.UserName == "alice").OneTimePassword!;
        var alice = await TokenAsync("alice", alicePassword);
        using var courses = await SendAsync(alice, HttpMethod.Get, "/api/courses");
        Assert.Equal(course.Id, Assert.Single(await ReadAsync<List<ApiCourse>>(courses)).Id);
        using var assignments = await SendAsync(alice, HttpMethod.Get, $"/api/courses/{course.Id}/assignments");
        Assert.Equal(assignment.Id, Assert.Single(await ReadAsync<List<ApiAssignment>>(assignments)).Id);

        using var opened = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/copy");
        var copy = await ReadAsync<ApiLab>(opened);
        using var openedAgain = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/copy");
        Assert.Equal(copy.Id, (await ReadAsync<ApiLab>(openedAgain)).Id);

        using var applied = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{copy.Id}/apply");
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        using var checkedWork = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{copy.Id}/check");
        var grade = await ReadAsync<ApiGrade>(checkedWork);
        Assert.Equal((1, 2), (grade.Passed, grade.Total));
        Assert.NotNull(grade.Checks.Single(c => c.Outcome == Core.Grading.CheckOutcome.Failed).Explanation);

        using var submitted = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/submit");
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var handIn = await ReadAsync<ApiSubmitted>(submitted);
        Assert.Equal((1, 2, false), (handIn.Submission.Passed, handIn.Submission.Total, handIn.Submission.Late));
        // Graded against the assignment's checks as published.
        Assert.Equal(assignment.Checks, _web.Agent.GradeRequests.Last().Request.Checks.Text);

        using var overview = await SendAsync(teacher, HttpMethod.Get, $"/api/assignments/{assignment.Id}/overview");
        var rows = await ReadAsync<List<OverviewRow>>(overview);
        Assert.Equal(["alice", "bob"], rows.Select(r => r.UserName));
        var aliceRow = rows[0];
        Assert.Equal((copy.Id, (int?)1, 1, 2), (aliceRow.LabId!.Value, aliceRow.AppliedRevision, aliceRow.LastSubmission!.Passed, aliceRow.LastSubmission.Total));
        Assert.Null(rows[1].LabId);
        using var submissions = await SendAsync(teacher, HttpMethod.Get, $"/api/assignments/{assignment.Id}/submissions");
        Assert.Equal(handIn.Submission.Id, Assert.Single(await ReadAsync<List<Submission>>(submissions)).Id);
        using var own = await SendAsync(alice, HttpMethod.Get, $"/api/assignments/{assignment.Id}/submissions");
        Assert.Equal(handIn.Submission.Id, Assert.Single(await ReadAsync<List<Submission>>(own)).Id);
    }

    [Fact]
    public async Task A_student_is_refused_the_overview_with_403_and_an_instructor_the_copy_and_submit()
    {
        var (teacher, alice, assignment) = await PublishedAsync();

        using var overview = await SendAsync(alice, HttpMethod.Get, $"/api/assignments/{assignment.Id}/overview");
        using var copy = await SendAsync(teacher, HttpMethod.Post, $"/api/assignments/{assignment.Id}/copy");
        using var submit = await SendAsync(teacher, HttpMethod.Post, $"/api/assignments/{assignment.Id}/submit");

        Assert.Equal((403, "instructors-only"), ((await ErrorAsync(overview)).Status, (await ErrorAsync(overview)).Error));
        Assert.Equal((403, "students-only"), ((await ErrorAsync(copy)).Status, (await ErrorAsync(copy)).Error));
        Assert.Equal((403, "students-only"), ((await ErrorAsync(submit)).Status, (await ErrorAsync(submit)).Error));
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/overview")]
    [InlineData("GET", "/submissions")]
    [InlineData("POST", "/copy")]
    [InlineData("POST", "/submit")]
    public async Task An_assignment_of_another_course_answers_as_a_missing_one(string method, string route)
    {
        var published = await PublishedAsync();
        var assignment = published.Assignment;
        // Another instructor, and a student of no course of the assignment's.
        var other = await _web.TokenClientAsync("other", UserRole.Instructor);
        var mallory = await _web.TokenClientAsync("mallory");
        var client = route == "/overview" ? other : method == "POST" ? mallory : other;

        using var others = await SendAsync(client, new HttpMethod(method), $"/api/assignments/{assignment.Id}{route}");
        using var missing = await SendAsync(client, new HttpMethod(method), $"/api/assignments/{assignment.Id + 100}{route}");

        var (status, error, message) = await ErrorAsync(others);
        Assert.Equal((404, "not-found"), (status, error));
        Assert.Equal(message.Replace($"{assignment.Id}", "N", StringComparison.Ordinal), (await ErrorAsync(missing)).Message.Replace($"{assignment.Id + 100}", "N", StringComparison.Ordinal));
        Assert.Null(await _web.Service<CourseStore>().CopyOfAsync((await _web.UserAsync("mallory")).Id, assignment.Id));
    }

    [Fact]
    public async Task A_submit_before_opening_or_applying_says_what_to_do_first()
    {
        var (_, alice, assignment) = await PublishedAsync();

        using var noCopy = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/submit");
        using var opened = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/copy");
        using var notApplied = await SendAsync(alice, HttpMethod.Post, $"/api/assignments/{assignment.Id}/submit");

        var first = await ErrorAsync(noCopy);
        Assert.Equal((409, "no-copy"), (first.Status, first.Error));
        Assert.Contains($"/api/assignments/{assignment.Id}/copy", first.Message, StringComparison.Ordinal);
        var second = await ErrorAsync(notApplied);
        Assert.Equal((409, "cannot-grade"), (second.Status, second.Error));
        Assert.Contains("Apply the lab first", second.Message, StringComparison.Ordinal);
        Assert.Empty(_web.Agent.GradeRequests);
    }

    private async Task<(HttpClient Teacher, HttpClient Alice, ApiAssignment Assignment)> PublishedAsync()
    {
        var published = await _web.PublishedCourseAsync();
        return (published.Teacher, published.Alice, published.Assignment);
    }

    private async Task<HttpClient> TokenAsync(string name, string password)
    {
        var client = _web.Anonymous();
        using var answer = await client.PostAsync(new Uri(AccessTokens.TokenPath, UriKind.Relative), Json(new { user = name, password }), Cancel);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Cancel));
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
        return client;
    }
}
