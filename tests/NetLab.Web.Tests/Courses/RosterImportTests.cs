using System.Text;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Courses;

/// <summary>
/// A roster from CSV: every line checked before anything is written, bounded before it is read, existing accounts
/// enrolled untouched, missing ones created with one-time passwords handed out once as CSV a spreadsheet cannot run.
/// </summary>
public sealed class RosterImportTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly UserStore _users;
    private readonly CourseStore _courses;
    private readonly RosterImport _import;

    public RosterImportTests()
    {
        _users = new UserStore(_db.Database, TimeProvider.System);
        _courses = new CourseStore(_db.Database, _db.Store, _users, TimeProvider.System);
        _import = new RosterImport(_courses, _users);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task New_students_get_accounts_with_one_time_passwords_and_existing_ones_are_enrolled_untouched()
    {
        var (teacher, course) = await CourseAsync();
        await _users.AddAsync("carol", UserRole.Student, "carols-own-password");

        var result = await _import.ImportAsync(teacher, course.Id, Csv("\uFEFFusername,display_name\r\nalice,Alice Liddell\r\n\"bob\",\"Bob, the Builder\"\r\ncarol,\r\n"), cancellationToken: Cancel);

        Assert.True(result.Succeeded, string.Join("; ", result.Problems));
        Assert.Equal(["alice", "bob", "carol"], result.Entries.Select(e => e.UserName));
        Assert.Equal([true, true, false], result.Entries.Select(e => e.Created));
        Assert.Null(result.Entries[2].OneTimePassword);
        Assert.Equal("Bob, the Builder", (await _users.FindAsync("bob"))!.DisplayName);
        Assert.Equal(SignInOutcome.SignedIn, (await _users.VerifyAsync("alice", result.Entries[0].OneTimePassword!)).Outcome);
        Assert.Equal(SignInOutcome.SignedIn, (await _users.VerifyAsync("carol", "carols-own-password")).Outcome);
        Assert.Equal(["alice", "bob", "carol"], (await _courses.ListStudentsAsync(teacher, course.Id)).Select(s => s.Name));
    }

    [Fact]
    public async Task With_single_sign_on_new_students_await_their_first_sign_in_without_passwords()
    {
        var (teacher, course) = await CourseAsync();
        await _users.AddAsync("carol", UserRole.Student, "carols-own-password");

        var result = await _import.ImportAsync(teacher, course.Id, Csv("username,display_name\nalice,Alice Liddell\ncarol,\n"), singleSignOn: true, Cancel);

        Assert.True(result.Succeeded, string.Join("; ", result.Problems));
        Assert.Equal([(true, (string?)null), (false, null)], result.Entries.Select(e => (e.Created, e.OneTimePassword)));
        Assert.True((await _users.FindAsync("alice"))!.SingleSignOn);
        Assert.False((await _users.FindAsync("carol"))!.SingleSignOn);
        Assert.Empty(RosterImport.PasswordsCsv(result).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        Assert.Equal(["alice", "carol"], (await _courses.ListStudentsAsync(teacher, course.Id)).Select(s => s.Name));
        var linked = await _users.SignInExternalAsync(new ExternalIdentity("https://login.school.example/", "s-1", "alice", "Alice L.", null));
        Assert.Equal(ExternalSignInOutcome.Linked, linked.Outcome);
    }

    [Theory]
    [InlineData("username\nalice\nbad name\n", "line 3: ")]
    [InlineData("username\nalice\nALICE\n", "line 3: 'ALICE' is on the roster twice")]
    [InlineData("name,display\nalice,A\n", "the first line must be the header")]
    [InlineData("username\n", "the roster names no student")]
    [InlineData("username,display_name\nalice,\"two\nlines\"\n", "line 2: the display name holds control characters")]
    [InlineData("username\nteacher\n", "line 2: 'teacher' is an instructor's account")]
    public async Task A_roster_with_a_bad_line_changes_nothing_and_says_which_line(string csv, string problem)
    {
        var (teacher, course) = await CourseAsync();

        var result = await _import.ImportAsync(teacher, course.Id, Csv(csv), cancellationToken: Cancel);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Problems, p => p.StartsWith(problem, StringComparison.Ordinal));
        Assert.Null(await _users.FindAsync("alice"));
        Assert.Empty(await _courses.ListStudentsAsync(teacher, course.Id));
    }

    [Fact]
    public async Task An_oversized_roster_or_one_of_too_many_students_is_refused_before_it_is_read_whole()
    {
        var (teacher, course) = await CourseAsync();
        var huge = new MemoryStream(new byte[RosterImport.MaxBytes + 1]);
        var many = "username\n" + string.Concat(Enumerable.Range(0, RosterImport.MaxStudents + 1).Select(i => $"s{i}\n"));

        var tooBig = await _import.ImportAsync(teacher, course.Id, huge, cancellationToken: Cancel);
        var tooMany = await _import.ImportAsync(teacher, course.Id, Csv(many), cancellationToken: Cancel);

        Assert.Equal(["the roster is larger than 1024 KiB: split it into several files"], tooBig.Problems);
        Assert.Contains($"the roster has more than {RosterImport.MaxStudents} students: split it into several files", tooMany.Problems);
        Assert.Null(await _users.FindAsync("s0"));
    }

    [Fact]
    public async Task Text_that_is_not_UTF8_is_refused()
    {
        var (teacher, course) = await CourseAsync();

        var result = await _import.ImportAsync(teacher, course.Id, new MemoryStream([.. "username\n"u8, 0xC3, 0x28, (byte)'\n']), cancellationToken: Cancel);

        Assert.False(result.Succeeded);
        Assert.StartsWith("the roster is not CSV text in UTF-8", Assert.Single(result.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_courses_instructor_imports_into_it()
    {
        var (_, course) = await CourseAsync();
        var other = await InstructorAsync("other");

        var result = await _import.ImportAsync(other, course.Id, Csv("username\nalice\n"), cancellationToken: Cancel);

        Assert.False(result.Succeeded);
        Assert.Null(await _users.FindAsync("alice"));
    }

    [Fact]
    public void The_passwords_file_escapes_cells_a_spreadsheet_would_run_as_formulas()
    {
        var result = new RosterResult([new RosterEntry("alice", "=HYPERLINK(\"http://evil\")", true, "pw1"), new RosterEntry("bob", "Bob", false, null)], []);

        var csv = RosterImport.PasswordsCsv(result);

        Assert.Equal("username,display_name,password\r\nalice,\"'=HYPERLINK(\"\"http://evil\"\")\",pw1\r\n", csv);
    }

    private async Task<(CurrentUser Teacher, Course Course)> CourseAsync()
    {
        var teacher = await InstructorAsync("teacher");
        return (teacher, (await _courses.CreateCourseAsync(teacher, "c")).Value!);
    }

    private async Task<CurrentUser> InstructorAsync(string name)
    {
        var account = await _users.AddAsync(name, UserRole.Instructor, "a-good-password");
        return new CurrentUser(account.Id, account.Name) { Role = UserRole.Instructor };
    }

    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));
}
