using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetLab.Web.Accounts;
using NetLab.Web.Components.Pages;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// The course page of a web with single sign-on: the roster's new accounts await their first sign-in through the
/// provider (no one-time passwords), unless the instructor unticks it.
/// </summary>
public sealed class CourseRosterSingleSignOnTests : IAsyncDisposable
{
    private readonly WebTestContext _context;
    private CurrentUser? _signedIn;

    public CourseRosterSingleSignOnTests() => _context = new WebTestContext(services =>
    {
        services.AddTransient(_ => _signedIn ?? throw new InvalidOperationException("no user signed in yet"));
        services.AddSingleton<RosterImport>();
        services.AddSingleton(Options.Create(new OidcOptions { Authority = "https://login.school.example/", ClientId = "netlab" }));
    });

    private UserStore Users => _context.Bunit.Services.GetRequiredService<UserStore>();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task New_roster_accounts_await_single_sign_on_and_no_password_is_shown()
    {
        var page = await CoursePageAsync();

        page.Find(".roster-csv textarea").Change("username\nalice\n");
        page.Find("button.roster-import").Click();

        page.WaitForAssertion(() => Assert.Contains("awaiting their first single sign-on", page.Find(".roster-sso-created").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll(".roster-created"));
        Assert.True((await Users.FindAsync("alice"))!.SingleSignOn);
    }

    [Fact]
    public async Task Unticked_the_roster_makes_one_time_passwords_as_without_single_sign_on()
    {
        var page = await CoursePageAsync();

        page.Find(".roster-sso input").Change(false);
        page.Find(".roster-csv textarea").Change("username\nalice\n");
        page.Find("button.roster-import").Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".roster-created tbody tr")));
        Assert.False((await Users.FindAsync("alice"))!.SingleSignOn);
    }

    private async Task<IRenderedComponent<CoursePage>> CoursePageAsync()
    {
        var teacher = await Users.AddAsync("teacher", UserRole.Instructor, "a-good-password");
        _signedIn = new CurrentUser(teacher.Id, teacher.Name) { Role = UserRole.Instructor };
        var course = (await _context.Bunit.Services.GetRequiredService<CourseStore>().CreateCourseAsync(_signedIn, "c")).Value!;
        return _context.Bunit.Render<CoursePage>(p => p.Add(c => c.CourseId, course.Id));
    }
}
