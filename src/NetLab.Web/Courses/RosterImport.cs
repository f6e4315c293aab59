using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Courses;

/// <summary>One line of a roster: an account to enrol (made when missing).</summary>
public sealed record RosterLine(int Line, string UserName, string DisplayName);

/// <summary>
/// An enrolled student of an import; <see cref="OneTimePassword"/> only for an account the import created with a password
/// (none for one awaiting single sign-on).
/// </summary>
public sealed record RosterEntry(string UserName, string DisplayName, bool Created, string? OneTimePassword);

/// <summary>What an import did, or (with <see cref="Problems"/>) why it did nothing at all.</summary>
public sealed record RosterResult(IReadOnlyList<RosterEntry> Entries, IReadOnlyList<string> Problems)
{
    public bool Succeeded => Problems.Count == 0;
}

/// <summary>
/// A course roster from CSV (<c>username,display_name</c>, a header line first; CsvHelper reads it, quotes and all):
/// bounded before it is read (1 MiB, 1000 students), every line checked before anything is written, so a roster with a
/// bad line changes nothing. Existing accounts are enrolled as they are (their passwords untouched); missing ones are
/// created as students with a random one-time password, shown to the instructor once and never stored in clear.
/// </summary>
public sealed class RosterImport(CourseStore courses, UserStore users)
{
    public const long MaxBytes = 1 << 20;
    public const int MaxStudents = 1000;

    private const int PasswordLength = 14;

    // No look-alikes (0/O, 1/l/I): a password read off paper is typed right.
    private const string PasswordAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>Reads the roster and enrols every line in the instructor's course, or changes nothing and says why.</summary>
    /// <param name="instructor">Who imports: the course's instructor, or nothing happens.</param>
    /// <param name="courseId">The course the students are enrolled in.</param>
    /// <param name="csv">The roster (bounded by <see cref="MaxBytes"/> before it is read).</param>
    /// <param name="cancellationToken">Stops reading the roster.</param>
    /// <param name="singleSignOn">
    /// New accounts sign in through the school's provider (the web has single sign-on): made awaiting their first
    /// single sign-on (<see cref="UserStore.AddAwaitingSingleSignOnAsync"/>), with no password to hand out. Otherwise
    /// they get a one-time password.
    /// </param>
    public async Task<RosterResult> ImportAsync(CurrentUser instructor, long courseId, Stream csv, bool singleSignOn = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        ArgumentNullException.ThrowIfNull(csv);
        if (await courses.TaughtCourseAsync(instructor, courseId) is null)
        {
            return Refused(CourseStore.NoSuchCourse<Course>(courseId).Problems[0].Message);
        }

        var (lines, problems) = await ReadAsync(csv, cancellationToken);
        if (problems.Count > 0)
        {
            return Refused([.. problems]);
        }

        foreach (var line in lines)
        {
            if (await users.FindAsync(line.UserName) is { Role: UserRole.Instructor })
            {
                problems.Add($"line {line.Line}: '{line.UserName}' is an instructor's account; a roster enrols students");
            }
        }

        if (problems.Count > 0)
        {
            return Refused([.. problems]);
        }

        var entries = new List<RosterEntry>();
        foreach (var line in lines)
        {
            string? password = null;
            var created = false;
            if (await users.FindAsync(line.UserName) is null)
            {
                created = true;
                if (singleSignOn)
                {
                    await users.AddAwaitingSingleSignOnAsync(line.UserName, line.DisplayName);
                }
                else
                {
                    password = RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);
                    await users.AddAsync(line.UserName, UserRole.Student, password, line.DisplayName);
                }
            }

            var enrolled = await courses.EnrolAsync(instructor, courseId, line.UserName);
            entries.Add(new RosterEntry(line.UserName, enrolled.Value?.DisplayName ?? line.DisplayName, created, password));
        }

        return new RosterResult(entries, []);
    }

    /// <summary>
    /// The one-time passwords of the accounts an import created, as CSV for the instructor to hand out
    /// (<c>username,display_name,password</c>); a cell a spreadsheet would run as a formula is escaped.
    /// </summary>
    public static string PasswordsCsv(RosterResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return SpreadsheetCsv.Write(
            ["username", "display_name", "password"],
            result.Entries.Where(e => e.OneTimePassword is not null).Select(e => (IReadOnlyList<string?>)[e.UserName, e.DisplayName, e.OneTimePassword]));
    }

    /// <summary>The roster's lines, or every problem found (with line numbers); nothing is read past the bounds.</summary>
    public static async Task<(List<RosterLine> Lines, List<string> Problems)> ReadAsync(Stream csv, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var problems = new List<string>();
        var lines = new List<RosterLine>();

        // Read at most one byte past the bound, so an oversized upload is told apart without reading it all.
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await csv.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                problems.Add($"the roster is larger than {MaxBytes / 1024} KiB: split it into several files");
                return (lines, problems);
            }
        }

        buffer.Position = 0;
        using var reader = new StreamReader(buffer, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            IgnoreBlankLines = true,
            DetectDelimiter = true,
            DetectDelimiterValues = [",", ";", "\t"],
            BadDataFound = null,
        };
        using var parser = new CsvReader(reader, config);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            if (!await parser.ReadAsync() || !parser.ReadHeader() || parser.HeaderRecord is not { } header
                || !header.Contains("username", StringComparer.OrdinalIgnoreCase))
            {
                problems.Add("the first line must be the header 'username,display_name' (display_name may be left out)");
                return (lines, problems);
            }

            var nameColumn = Array.FindIndex(header, h => h.Equals("username", StringComparison.OrdinalIgnoreCase));
            var displayColumn = Array.FindIndex(header, h => h.Equals("display_name", StringComparison.OrdinalIgnoreCase));
            while (await parser.ReadAsync())
            {
                // The record's number (the header is 1): the line it is on, unless an earlier quoted field ran over several lines.
                var line = parser.Parser.Row;
                if (lines.Count + problems.Count >= MaxStudents)
                {
                    problems.Add($"the roster has more than {MaxStudents} students: split it into several files");
                    break;
                }

                var name = parser.GetField(nameColumn) ?? string.Empty;
                var display = displayColumn >= 0 ? parser.GetField(displayColumn) ?? string.Empty : string.Empty;
                display = string.IsNullOrEmpty(display) ? name : display;
                if (UserStore.NameProblem(name) is { } nameProblem)
                {
                    problems.Add($"line {line}: {nameProblem}");
                }
                else if (UserStore.DisplayNameProblem(display) is { } displayProblem)
                {
                    problems.Add($"line {line}: {displayProblem}");
                }
                else if (!seen.Add(name))
                {
                    problems.Add($"line {line}: '{name}' is on the roster twice");
                }
                else
                {
                    lines.Add(new RosterLine(line, name, display));
                }
            }
        }
        catch (Exception e) when (e is CsvHelperException or DecoderFallbackException)
        {
            problems.Add($"the roster is not CSV text in UTF-8: {e.Message.Split('\n')[0]}");
        }

        if (problems.Count == 0 && lines.Count == 0)
        {
            problems.Add("the roster names no student: one line per student after the header");
        }

        return (lines, problems);
    }

    private static RosterResult Refused(params string[] problems) => new([], problems);
}
