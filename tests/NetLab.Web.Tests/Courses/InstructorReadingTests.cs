using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Accounts;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Live;
using NetLab.Web.Tests.Runs;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// The read rule (<see cref="LabReaders"/>) at the web's edges, in-process: the downloads of a lab, a run and a run's
/// capture, and the hub's Watch and RunHistory. A course's instructor reads an enrolled student's copy of one of its
/// assignments; another student, the instructor of another course, and the instructor asking for a student's lab that is
/// no copy get the answer of an object that does not exist, and the web logs the refusal.
/// </summary>
public sealed class InstructorReadingTests : IAsyncDisposable
{
    private readonly InProcessWebs _webs = new();
    private readonly FakeAgentGateway _agent = new() { SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1), Interface("macvlan2", 2))] };
    private readonly LogLines _log = new();
    private readonly WebApplicationFactory<Program> _app;

    public InstructorReadingTests() => _app = _webs.Start(services =>
    {
        services.AddSingleton<IAgentGateway>(_agent);
        services.AddSingleton<ILoggerProvider>(_log);
    });

    public async ValueTask DisposeAsync() => await _webs.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_instructor_downloads_an_enrolled_students_copy_its_run_and_the_runs_capture()
    {
        var @class = await ClassAsync();
        using var teacher = await ClientAsync("teacher");

        using var lab = await teacher.GetAsync(new Uri($"/labs/{@class.Copy.Id}/export", UriKind.Relative), Cancel);
        using var run = await teacher.GetAsync(new Uri($"/runs/{@class.RunId}/export", UriKind.Relative), Cancel);
        using var capture = await teacher.GetAsync(new Uri($"/runs/{@class.RunId}/captures/1.pcap", UriKind.Relative), Cancel);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (lab.StatusCode, run.StatusCode, capture.StatusCode));
        Assert.Contains("macvlan-bridge", await lab.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal("application/zip", run.Content.Headers.ContentType?.MediaType);
        // A pcap file with the one frame recorded: the 24-byte file header, a 16-byte record header and the frame.
        Assert.Equal(24 + 16 + RunFixtures.Frame(7).Length, (await capture.Content.ReadAsByteArrayAsync(Cancel)).Length);
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("other-teacher")]
    public async Task Another_student_or_the_instructor_of_another_course_gets_not_found_for_the_copy_its_run_and_capture(string reader)
    {
        var @class = await ClassAsync();
        using var client = await ClientAsync(reader);

        foreach (var path in new[] { $"/labs/{@class.Copy.Id}/export", $"/runs/{@class.RunId}/export", $"/runs/{@class.RunId}/captures/1.pcap" })
        {
            using var refused = await client.GetAsync(new Uri(path, UriKind.Relative), Cancel);
            using var missing = await client.GetAsync(new Uri(path.Replace($"/{@class.Copy.Id}/", "/999999/", StringComparison.Ordinal).Replace($"/{@class.RunId}/", "/999999/", StringComparison.Ordinal), UriKind.Relative), Cancel);

            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            // The same answer as for an id nobody has, but for the id itself.
            Assert.Equal(WithoutIds(await missing.Content.ReadAsStringAsync(Cancel)), WithoutIds(await refused.Content.ReadAsStringAsync(Cancel)));
        }

        Assert.Contains(_log.Lines, line => line.Contains($"Refused lab {@class.Copy.Id} to {reader}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_instructor_gets_not_found_for_a_students_lab_that_is_no_copy_of_an_assignment()
    {
        var @class = await ClassAsync();
        using var teacher = await ClientAsync("teacher");

        using var own = await teacher.GetAsync(new Uri($"/labs/{@class.AlicesOwnLab.Id}/export", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        Assert.Contains(_log.Lines, line => line.Contains($"Refused lab {@class.AlicesOwnLab.Id} to teacher", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_instructor_no_longer_reads_the_copy_of_a_student_removed_from_the_course()
    {
        var @class = await ClassAsync();
        Assert.True(await Courses.UnenrolAsync(@class.Teacher, @class.Course.Id, @class.Alice.Id));
        using var teacher = await ClientAsync("teacher");

        using var lab = await teacher.GetAsync(new Uri($"/labs/{@class.Copy.Id}/export", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.NotFound, lab.StatusCode);
    }

    [Fact]
    public async Task The_owner_still_downloads_and_writes_while_the_instructor_cannot_write()
    {
        var @class = await ClassAsync();
        using var alice = await ClientAsync("alice");
        var labs = _app.Services.GetRequiredService<LabStore>();

        using var lab = await alice.GetAsync(new Uri($"/labs/{@class.Copy.Id}/export", UriKind.Relative), Cancel);
        var yaml = (await labs.GetCurrentRevisionAsync(@class.Alice.Id, @class.Copy.Id))!.Yaml;

        Assert.Equal(HttpStatusCode.OK, lab.StatusCode);
        Assert.True((await labs.SaveRevisionAsync(@class.Alice.Id, @class.Copy.Id, yaml + "# mine\n")).Succeeded);
        Assert.False((await labs.SaveRevisionAsync(@class.Teacher.Id, @class.Copy.Id, yaml + "# the teacher's\n")).Succeeded);
        Assert.Equal(2, (await labs.ListRevisionsAsync(@class.Alice.Id, @class.Copy.Id)).Count);
    }

    [Fact]
    public async Task The_instructor_watches_the_copy_live_as_its_owner_at_the_agent()
    {
        var @class = await ClassAsync();
        await using var connection = await HubClient.ConnectAsync(_app.Server, await TestSignIn.CookieAsync(_app, "teacher"));

        await using var events = connection.StreamAsync<LabEvent>("Watch", @class.Copy.KernelName, Cancel).GetAsyncEnumerator(Cancel);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(LabEventKind.Snapshot, events.Current.Kind);
        // The agent is asked for the student, whose lab it is: it checks again that the lab is theirs.
        Assert.Contains(_agent.Acting, a => a.Call == "watch" && a.Lab == new OwnedKernelLab(@class.Copy.KernelName, @class.Alice.Id));
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("other-teacher")]
    public async Task Another_student_or_the_instructor_of_another_course_cannot_watch_the_copy_or_stream_its_run(string reader)
    {
        var @class = await ClassAsync();
        await using var connection = await HubClient.ConnectAsync(_app.Server, await TestSignIn.CookieAsync(_app, reader, reader == "bob" ? UserRole.Student : UserRole.Instructor));

        // A stream that is (wrongly) granted never ends by itself: the wait is bounded so that fails rather than hangs.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        bounded.CancelAfter(TimeSpan.FromSeconds(20));
        var watch = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<LabEvent>("Watch", @class.Copy.KernelName, bounded.Token))
            {
            }
        });
        var history = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<RunEntry>("RunHistory", @class.RunId, bounded.Token))
            {
            }
        });

        Assert.Contains($"You have no lab the kernel knows as {@class.Copy.KernelName}", watch.Message, StringComparison.Ordinal);
        Assert.Contains($"There is no run {@class.RunId}", history.Message, StringComparison.Ordinal);
        Assert.Equal(0, _agent.WatchCalls);
    }

    [Fact]
    public async Task The_instructor_streams_a_students_run_history()
    {
        var @class = await ClassAsync();
        await using var connection = await HubClient.ConnectAsync(_app.Server, await TestSignIn.CookieAsync(_app, "teacher"));

        var streamed = new List<RunEntry>();
        await foreach (var entry in connection.StreamAsync<RunEntry>("RunHistory", @class.RunId, Cancel))
        {
            streamed.Add(entry);
        }

        var stored = await _app.Services.GetRequiredService<RunStore>().GetEntriesAsync(@class.Alice.Id, @class.RunId);
        Assert.Equal(stored.Select(RunJson.Serialize), streamed.Select(RunJson.Serialize));
        Assert.NotEmpty(streamed);
    }

    [Fact]
    public async Task The_grades_csv_has_a_row_per_student_and_assignment_with_the_last_submission()
    {
        var @class = await ClassAsync();
        var runs = _app.Services.GetRequiredService<RunStore>();
        await _app.Services.GetRequiredService<LabStore>().MarkAppliedAsync(@class.Alice.Id, @class.Copy.Id, 1);
        var graded = await runs.RecordGradingAsync(@class.Alice.Id, @class.Copy.Id,
            new GradingRecord(1, @class.Assignment.TemplateYaml, @class.Copy.KernelName, @class.Assignment.Checks, DateTimeOffset.UtcNow, Grading.GradeStoreTests.Grade(), null));
        var submitted = (await Courses.SubmitAsync(@class.Alice, @class.Assignment.Id, graded!.Id)).Value!;
        await Courses.PublishAsync(@class.Teacher, @class.Course.Id, new AssignmentDraft("second", RepositoryFiles.Lab("macvlan-bridge.yaml")));
        using var teacher = await ClientAsync("teacher");

        using var answer = await teacher.GetAsync(new Uri($"/courses/{@class.Course.Id}/grades.csv", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/csv", answer.Content.Headers.ContentType?.MediaType);
        var at = submitted.Submitted.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            "username,display_name,assignment,submitted_at,late,passed,total\r\n" +
            $"alice,Alice,first,{at},no,1,2\r\n" +
            "alice,Alice,second,,,,\r\n" +
            "bob,bob,first,,,,\r\n" +
            "bob,bob,second,,,,\r\n",
            await answer.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("other-teacher")]
    public async Task The_grades_csv_is_not_found_for_a_student_of_the_course_or_another_instructor(string reader)
    {
        var @class = await ClassAsync();
        using var client = await ClientAsync(reader);

        using var refused = await client.GetAsync(new Uri($"/courses/{@class.Course.Id}/grades.csv", UriKind.Relative), Cancel);
        using var missing = await client.GetAsync(new Uri("/courses/999999/grades.csv", UriKind.Relative), Cancel);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (refused.StatusCode, missing.StatusCode));
        Assert.Equal(
            (await missing.Content.ReadAsStringAsync(Cancel)).Replace("999999", "N", StringComparison.Ordinal),
            (await refused.Content.ReadAsStringAsync(Cancel)).Replace($"{@class.Course.Id}", "N", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, line => line.Contains($"Refused the grades of course {@class.Course.Id} to {reader}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_grades_csv_escapes_cells_a_spreadsheet_would_run_as_formulas()
    {
        var csv = CourseGrades.ToCsv([new GradeRow("mallory", "=HYPERLINK(\"http://evil\")", "@SUM(A1)", null, null, null, null)]);

        Assert.Equal(
            "username,display_name,assignment,submitted_at,late,passed,total\r\n" +
            "mallory,\"'=HYPERLINK(\"\"http://evil\"\")\",\"'@SUM(A1)\",,,,\r\n",
            csv);
    }

    /// <summary>A not-found answer with the lab's or run's number taken out: the rest must not tell a refused object from a missing one.</summary>
    private static string WithoutIds(string answer) => System.Text.RegularExpressions.Regex.Replace(answer, "(lab|run) [0-9]+", "$1 N");

    private CourseStore Courses => _app.Services.GetRequiredService<CourseStore>();

    private async Task<HttpClient> ClientAsync(string name)
    {
        var cookie = await TestSignIn.CookieAsync(_app, name, name is "alice" or "bob" ? UserRole.Student : UserRole.Instructor);
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    /// <summary>
    /// teacher's course with alice and bob, an assignment "first" with checks, alice's copy of it with a finished run
    /// holding a one-frame capture, a lab of alice's own; other-teacher's course, in which alice is enrolled too.
    /// </summary>
    private async Task<Class> ClassAsync()
    {
        var users = _app.Services.GetRequiredService<UserStore>();
        var teacherAccount = await users.AddAsync("teacher", UserRole.Instructor, TestSignIn.Password);
        var otherAccount = await users.AddAsync("other-teacher", UserRole.Instructor, TestSignIn.Password);
        var aliceAccount = await users.AddAsync("alice", UserRole.Student, TestSignIn.Password, "Alice");
        await users.AddAsync("bob", UserRole.Student, TestSignIn.Password);
        var teacher = new CurrentUser(teacherAccount.Id, teacherAccount.Name) { Role = UserRole.Instructor };
        var other = new CurrentUser(otherAccount.Id, otherAccount.Name) { Role = UserRole.Instructor };
        var alice = new CurrentUser(aliceAccount.Id, aliceAccount.Name);

        var course = (await Courses.CreateCourseAsync(teacher, "c")).Value!;
        await Courses.EnrolAsync(teacher, course.Id, "alice");
        await Courses.EnrolAsync(teacher, course.Id, "bob");
        var assignment = (await Courses.PublishAsync(teacher, course.Id, new AssignmentDraft("first", RepositoryFiles.Lab("macvlan-bridge.yaml"), Checks: Grading.GradeStoreTests.Checks))).Value!;
        var otherCourse = (await Courses.CreateCourseAsync(other, "other")).Value!;
        await Courses.EnrolAsync(other, otherCourse.Id, "alice");
        var copy = (await Courses.OpenCopyAsync(alice, assignment.Id)).Value!;
        var labs = _app.Services.GetRequiredService<LabStore>();
        var own = (await labs.CreateAsync(alice.Id, "name: own\n")).Value!;

        var runs = _app.Services.GetRequiredService<RunStore>();
        var run = await runs.CreateRunAsync(alice.Id, copy.Id, 1, assignment.TemplateYaml, copy.KernelName, "alice's run", "");
        await using (var recorder = runs.OpenRecorder(run.Id))
        {
            var capture = new RunCaptureInfo(1, "ns2", "macvlan2");
            await recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running);
            await recorder.CaptureStartedAsync(capture, 65535);
            await recorder.AppendFrameAsync(1, new CapturedFrame(1, DateTimeOffset.UtcNow, RunFixtures.Frame(7).Length, RunFixtures.Frame(7), Outgoing: true));
            await recorder.CaptureEndedAsync(capture);
            await recorder.FinishAsync(RunStatus.Succeeded, "Run finished");
        }

        return new Class(teacher, alice, course, assignment, copy, own, run.Id);
    }

    private sealed record Class(CurrentUser Teacher, CurrentUser Alice, Course Course, Assignment Assignment, LabSummary Copy, LabSummary AlicesOwnLab, long RunId);

    /// <summary>The web's log lines, to see that a refusal was logged.</summary>
    private sealed class LogLines : ILoggerProvider
    {
        public ConcurrentQueue<string> Queue { get; } = new();

        public IEnumerable<string> Lines => Queue;

        public ILogger CreateLogger(string categoryName) => new Logger(Queue);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
