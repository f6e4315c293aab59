using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Components.Pages;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// The pages as an instructor reads a student's copy: the Lab page read-only (a banner, no control that writes), its
/// runs and their replay; the overview's link to the copy and its links up/down from the lab's shared live state.
/// Another student and another course's instructor read that there is no such lab or run; the owner keeps every control.
/// </summary>
public sealed class InstructorViewPagesTests : IAsyncDisposable
{
    private static readonly string[] WritingControls =
        ["button.lab-save", "button.lab-undo", "button.lab-redo", "button.lab-apply", "button.lab-destroy", ".lab-run-experiment",
         "button.lab-check-my-work-button", "button.lab-submit-button", "button.capture-start", ".topo-add-namespace", ".lab-note"];

    private readonly FakeAgentGateway _agent = new()
    {
        SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1, "unknown"), Interface("macvlan2", 2), Interface("macvlan3", 3, "down"))],
    };

    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public InstructorViewPagesTests() => _context = new WebTestContext(
        services =>
        {
            services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet"));
            services.AddLogging();
            services.AddSingleton<NetLab.Web.Model.Runs.ExperimentRunner>();
        },
        _agent);

    private CourseStore Courses => _context.Bunit.Services.GetRequiredService<CourseStore>();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task The_instructor_reads_an_enrolled_students_copy_read_only()
    {
        var @class = await ClassAsync();
        _signedIn = @class.Teacher;

        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, @class.Copy.Id));

        Assert.Equal("Read-only: Alice Liddell's lab (assignment first)", page.Find(".lab-read-only").TextContent.Trim());
        Assert.Contains("macvlan-bridge", page.Find(".lab-yaml textarea").GetAttribute("value") ?? page.Find(".lab-yaml textarea").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find(".lab-yaml textarea").HasAttribute("readonly"));
        Assert.Equal(@class.Assignment.Checks, page.Find(".lab-checks-read-only").TextContent);
        foreach (var control in WritingControls)
        {
            Assert.True(page.FindAll(control).Count == 0, $"{control} is on the read-only page");
        }
    }

    [Fact]
    public async Task The_owner_keeps_every_control_on_their_copy()
    {
        var @class = await ClassAsync();
        _signedIn = @class.Alice;

        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, @class.Copy.Id));

        Assert.Empty(page.FindAll(".lab-read-only"));
        foreach (var control in new[] { "button.lab-save", "button.lab-apply", "button.lab-check-my-work-button", "button.lab-submit-button", ".topo-add-namespace" })
        {
            Assert.True(page.FindAll(control).Count == 1, $"{control} is missing from the owner's page");
        }
    }

    [Fact]
    public async Task Another_student_another_courses_instructor_and_a_students_own_lab_read_as_no_such_lab()
    {
        var @class = await ClassAsync();
        foreach (var (who, labId) in new[] { (@class.Bob, @class.Copy.Id), (@class.OtherTeacher, @class.Copy.Id), (@class.Teacher, @class.AlicesOwnLab.Id) })
        {
            _signedIn = who;

            var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, labId));
            var runs = _context.Bunit.Render<LabRuns>(p => p.Add(l => l.LabId, labId));

            Assert.Equal($"{who.Name} {labId}: There is no such lab. Back to the labs", $"{who.Name} {labId}: {page.Find(".lab-missing").TextContent.Trim()}");
            Assert.NotNull(runs.Find(".lab-missing"));
        }

        _signedIn = @class.Bob;
        Assert.NotNull(_context.Bunit.Render<Run>(p => p.Add(r => r.RunId, @class.RunId)).Find(".run-missing"));
    }

    [Fact]
    public async Task The_instructor_lists_and_replays_the_copys_runs_without_importing()
    {
        var @class = await ClassAsync();
        _signedIn = @class.Teacher;

        var runs = _context.Bunit.Render<LabRuns>(p => p.Add(l => l.LabId, @class.Copy.Id));
        var replay = _context.Bunit.Render<Run>(p => p.Add(r => r.RunId, @class.RunId));

        Assert.Contains("alice's run", runs.Markup, StringComparison.Ordinal);
        Assert.Empty(runs.FindAll(".runs-import"));
        Assert.Equal("alice's run", replay.Find(".run-heading").TextContent.Trim());
        Assert.Equal("Read-only: Alice Liddell's lab (assignment first)", replay.Find(".lab-read-only").TextContent.Trim());
    }

    [Fact]
    public async Task The_overview_links_each_copy_and_counts_its_links_up_and_down_from_the_shared_live_state()
    {
        var @class = await ClassAsync();
        await _context.Store.MarkAppliedAsync(@class.Alice.Id, @class.Copy.Id, 1);
        _signedIn = @class.Teacher;

        var page = _context.Bunit.Render<AssignmentOverview>(p => p.Add(o => o.CourseId, @class.Course.Id).Add(o => o.AssignmentId, @class.Assignment.Id));

        Assert.Equal($"labs/{@class.Copy.Id}", page.Find(".overview-row[data-student='alice'] a.overview-open").GetAttribute("href"));
        Assert.Empty(page.FindAll(".overview-row[data-student='bob'] a.overview-open"));
        page.WaitForAssertion(() => Assert.Equal("1 up, 1 down", page.Find(".overview-row[data-student='alice'] .overview-links").TextContent.Trim()));

        _agent.Publish(Changed("ns2", Interface("macvlan3", 3)));
        page.WaitForAssertion(() => Assert.Equal("2 up, 0 down", page.Find(".overview-row[data-student='alice'] .overview-links").TextContent.Trim()));
        // One agent stream for the lab, acting for its owner: the overview shares the lab's live state.
        Assert.Equal(1, _agent.WatchCalls);
        Assert.Contains(_agent.Acting, a => a.Call == "watch" && a.Lab.OwnerId == @class.Alice.Id && a.Lab.Name == @class.Copy.KernelName);
    }

    private async Task<Class> ClassAsync()
    {
        var users = _context.Bunit.Services.GetRequiredService<UserStore>();
        var teacher = await InstructorAsync(users, "teacher");
        var other = await InstructorAsync(users, "other-teacher");
        var aliceAccount = await users.AddAsync("alice", UserRole.Student, "a-good-password", "Alice Liddell");
        var bobAccount = await users.AddAsync("bob", UserRole.Student, "a-good-password");
        var alice = new CurrentUser(aliceAccount.Id, aliceAccount.Name);
        var course = (await Courses.CreateCourseAsync(teacher, "c")).Value!;
        await Courses.EnrolAsync(teacher, course.Id, "alice");
        await Courses.EnrolAsync(teacher, course.Id, "bob");
        var otherCourse = (await Courses.CreateCourseAsync(other, "other")).Value!;
        await Courses.EnrolAsync(other, otherCourse.Id, "alice");
        var assignment = (await Courses.PublishAsync(teacher, course.Id, new AssignmentDraft("first", RepositoryFiles.Lab("macvlan-bridge.yaml"), Checks: Grading.GradeStoreTests.Checks))).Value!;
        var copy = (await Courses.OpenCopyAsync(alice, assignment.Id)).Value!;
        var own = (await _context.Store.CreateAsync(alice.Id, "name: own\n")).Value!;
        var runs = _context.Bunit.Services.GetRequiredService<RunStore>();
        var run = await runs.CreateRunAsync(alice.Id, copy.Id, 1, assignment.TemplateYaml, copy.KernelName, "alice's run", "");
        await using (var recorder = runs.OpenRecorder(run.Id))
        {
            await recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running);
            await recorder.FinishAsync(RunStatus.Succeeded, "Run finished");
        }

        return new Class(teacher, other, alice, new CurrentUser(bobAccount.Id, bobAccount.Name), course, assignment, copy, own, run.Id);
    }

    private static async Task<CurrentUser> InstructorAsync(UserStore users, string name)
    {
        var account = await users.AddAsync(name, UserRole.Instructor, "a-good-password");
        return new CurrentUser(account.Id, account.Name) { Role = UserRole.Instructor };
    }

    private sealed record Class(
        CurrentUser Teacher, CurrentUser OtherTeacher, CurrentUser Alice, CurrentUser Bob, Course Course, Assignment Assignment,
        LabSummary Copy, LabSummary AlicesOwnLab, long RunId);
}
