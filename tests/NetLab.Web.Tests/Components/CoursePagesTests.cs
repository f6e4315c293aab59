using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Components.Pages;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// The course pages: an instructor creates a course, imports a roster (seeing each new account's one-time password
/// once) and publishes an assignment from a template with checks generated from its predictions; an enrolled student
/// opens their own copy; anyone else reads that there is no such course.
/// </summary>
public sealed class CoursePagesTests : IAsyncDisposable
{
    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public CoursePagesTests() => _context = new WebTestContext(services =>
    {
        services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet"));
        services.AddSingleton<RosterImport>();
    });

    private UserStore Users => _context.Bunit.Services.GetRequiredService<UserStore>();

    private CourseStore Courses => _context.Bunit.Services.GetRequiredService<CourseStore>();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task An_instructor_creates_a_course_and_lands_on_its_page()
    {
        _signedIn = await UserAsync("teacher", UserRole.Instructor);
        var page = _context.Bunit.Render<NetLab.Web.Components.Pages.Courses>();

        page.Find(".courses-new-name input").Input("Networks 101");
        page.Find("button.courses-create").Click();

        var navigation = _context.Bunit.Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.Matches("/courses/[0-9]+$", navigation.Uri));
        Assert.Equal(["Networks 101"], (await Courses.ListCoursesAsync(_signedIn)).Select(c => c.Name));
    }

    [Fact]
    public async Task A_student_reads_that_there_are_no_courses_and_cannot_create_one()
    {
        _signedIn = await UserAsync("alice");

        var page = _context.Bunit.Render<NetLab.Web.Components.Pages.Courses>();

        Assert.Empty(page.FindAll("button.courses-create"));
        Assert.Contains("You are not enrolled in a course yet", page.Find(".courses-empty").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_instructor_imports_a_roster_and_sees_the_one_time_passwords_once()
    {
        _signedIn = await UserAsync("teacher", UserRole.Instructor);
        var course = (await Courses.CreateCourseAsync(_signedIn, "c")).Value!;
        var page = _context.Bunit.Render<CoursePage>(p => p.Add(c => c.CourseId, course.Id));

        page.Find(".roster-csv textarea").Change("username,display_name\nalice,Alice\nbob,Bob\n");
        page.Find("button.roster-import").Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".roster-row").Count));
        Assert.Equal(2, page.FindAll(".roster-created tbody tr").Count);
        var password = page.FindAll(".roster-created code")[0].TextContent;
        Assert.Equal(SignInOutcome.SignedIn, (await Users.VerifyAsync("alice", password)).Outcome);
        Assert.StartsWith("data:text/csv;base64,", page.Find(".roster-passwords-download").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_instructor_publishes_a_template_with_checks_generated_from_its_predictions_and_a_student_opens_a_copy()
    {
        var teacher = await UserAsync("teacher", UserRole.Instructor);
        var alice = await UserAsync("alice");
        var course = (await Courses.CreateCourseAsync(teacher, "c")).Value!;
        await Courses.EnrolAsync(teacher, course.Id, "alice");
        _signedIn = teacher;
        var page = _context.Bunit.Render<CoursePage>(p => p.Add(c => c.CourseId, course.Id));

        page.Find(".publish-title input").Change("vepa with hairpin");
        page.Find("select.publish-source").Change("template:macvlan-vepa-hairpin");
        page.Find("button.publish-generate").Click();
        page.WaitForAssertion(() => Assert.Contains("checks:", page.Find(".publish-checks textarea").GetAttribute("value") ?? page.Find(".publish-checks textarea").TextContent, StringComparison.Ordinal));
        page.Find("button.publish-run").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".assignment-row")));
        var assignment = Assert.Single(await Courses.ListAssignmentsAsync(teacher, course.Id));
        Assert.Contains("reaches", assignment.Checks, StringComparison.Ordinal);

        _signedIn = alice;
        var studentPage = _context.Bunit.Render<CoursePage>(p => p.Add(c => c.CourseId, course.Id));
        studentPage.Find("button.assignment-open").Click();

        var navigation = _context.Bunit.Services.GetRequiredService<NavigationManager>();
        studentPage.WaitForAssertion(() => Assert.Matches("/labs/[0-9]+$", navigation.Uri));
        var copy = Assert.Single(await _context.Store.ListLabsAsync(alice.Id));
        Assert.EndsWith($"/labs/{copy.Id}", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_not_in_the_course_reads_that_it_does_not_exist()
    {
        var teacher = await UserAsync("teacher", UserRole.Instructor);
        var course = (await Courses.CreateCourseAsync(teacher, "c")).Value!;
        _signedIn = await UserAsync("bob");

        var page = _context.Bunit.Render<CoursePage>(p => p.Add(c => c.CourseId, course.Id));

        Assert.Equal($"There is no course {course.Id} of yours.", page.Find(".course-missing").TextContent);
        Assert.Empty(page.FindAll(".roster-import"));
    }

    private async Task<CurrentUser> UserAsync(string name, UserRole role = UserRole.Student)
    {
        var account = await Users.AddAsync(name, role, "a-good-password");
        return new CurrentUser(account.Id, account.Name) { Role = role };
    }
}
