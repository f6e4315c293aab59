using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>
/// A course. Its instructor publishes assignments (a template or one of their labs, checks, times) and keeps the
/// roster (enrol, import CSV, remove); an enrolled student opens their own copy of an open assignment. Anyone else
/// reads that there is no such course.
/// </summary>
public sealed partial class CoursePage
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm";

    [Parameter]
    public long CourseId { get; set; }

    [Inject]
    private CourseStore Store { get; set; } = default!;

    [Inject]
    private RosterImport Rosters { get; set; } = default!;

    [Inject]
    private LabStore Labs { get; set; } = default!;

    [Inject]
    private LabTemplates Templates { get; set; } = default!;

    [Inject]
    private AssignmentSources Sources { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    // Optional so the page renders where no options are registered (bUnit); the web always registers them.
    [Inject]
    private IServiceProvider Services { get; set; } = default!;

    /// <summary>The web signs in with the school's provider: new roster accounts may await their first single sign-on.</summary>
    private bool SingleSignOnAvailable =>
        Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<NetLab.Web.Accounts.OidcOptions>)) is Microsoft.Extensions.Options.IOptions<NetLab.Web.Accounts.OidcOptions> { Value.Enabled: true };

    /// <summary>New roster accounts sign in with single sign-on (no one-time passwords).</summary>
    private bool RosterSingleSignOn { get; set; } = true;

    private Course? Shown { get; set; }

    private bool Loaded { get; set; }

    private bool IsTeacher => Shown?.InstructorId == User.Id;

    private IReadOnlyList<Assignment> AssignmentList { get; set; } = [];

    private IReadOnlyList<EnrolledStudent> Roster { get; set; } = [];

    private IReadOnlyList<LabSummary> OwnLabs { get; set; } = [];

    private PublishForm Draft { get; set; } = new();

    private string? EnrolName { get; set; }

    private string? RosterText { get; set; }

    private RosterResult? Imported { get; set; }

    private string? Refusal { get; set; }

    private string PasswordsDownload => Imported is null
        ? string.Empty
        : "data:text/csv;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(RosterImport.PasswordsCsv(Imported)));

    protected override async Task OnParametersSetAsync() => await ReloadAsync();

    private async Task ReloadAsync()
    {
        Shown = await Store.GetCourseAsync(User, CourseId);
        Loaded = true;
        if (Shown is null)
        {
            return;
        }

        AssignmentList = await Store.ListAssignmentsAsync(User, CourseId);
        if (IsTeacher)
        {
            Roster = await Store.ListStudentsAsync(User, CourseId);
            OwnLabs = await Labs.ListLabsAsync(User.Id);
        }
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) ?? "";

    private async Task OpenAsync(Assignment assignment)
    {
        var copy = await Store.OpenCopyAsync(User, assignment.Id);
        if (!copy.Succeeded)
        {
            Refusal = Words(copy.Problems);
            return;
        }

        Navigation.NavigateTo($"labs/{copy.Value!.Id}");
    }

    private void OnSourceChanged(ChangeEventArgs change) => Draft.Source = change.Value as string;

    private async Task GenerateChecksAsync()
    {
        if (await SourceAsync() is not { } source || AssignmentSources.GeneratedChecks(source) is not { } checks)
        {
            Refusal = "Choose a template or a lab that is valid to generate checks from.";
            return;
        }

        Draft.Checks = checks;
    }

    private async Task PublishAsync()
    {
        Refusal = null;
        if (await SourceAsync() is not { } source)
        {
            Refusal = "Choose the template or lab the assignment gives each student.";
            return;
        }

        if (!TryTime(Draft.Starts, "start", out var starts) || !TryTime(Draft.Due, "due", out var due))
        {
            return;
        }

        var published = await Store.PublishAsync(User, CourseId, new AssignmentDraft(
            Draft.Title ?? string.Empty, source.Yaml, source.Guide, Draft.Checks ?? string.Empty, Draft.ShowExplanations, starts, due));
        if (!published.Succeeded)
        {
            Refusal = Words(published.Problems);
            return;
        }

        Draft = new PublishForm();
        await ReloadAsync();
    }

    private async Task EnrolAsync()
    {
        var enrolled = await Store.EnrolAsync(User, CourseId, EnrolName ?? string.Empty);
        Refusal = enrolled.Succeeded ? null : Words(enrolled.Problems);
        EnrolName = enrolled.Succeeded ? null : EnrolName;
        await ReloadAsync();
    }

    private async Task RemoveAsync(EnrolledStudent student)
    {
        await Store.UnenrolAsync(User, CourseId, student.Id);
        await ReloadAsync();
    }

    private async Task ImportAsync()
    {
        using var csv = new MemoryStream(Encoding.UTF8.GetBytes(RosterText ?? string.Empty));
        var result = await Rosters.ImportAsync(User, CourseId, csv, SingleSignOnAvailable && RosterSingleSignOn);
        if (!result.Succeeded)
        {
            Refusal = "Nothing was imported: " + string.Join("; ", result.Problems);
            return;
        }

        Refusal = null;
        Imported = result;
        RosterText = null;
        await ReloadAsync();
    }

    /// <summary>The chosen template's or lab's YAML and guide (<see cref="AssignmentSources"/>, which the JSON API uses too).</summary>
    private async Task<AssignmentSource?> SourceAsync()
    {
        var source = Draft.Source ?? string.Empty;
        if (source.StartsWith("template:", StringComparison.Ordinal))
        {
            return Sources.OfTemplate(source["template:".Length..]);
        }

        return source.StartsWith("lab:", StringComparison.Ordinal)
            && long.TryParse(source["lab:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var labId)
            ? await Sources.OfLabAsync(User, labId)
            : null;
    }

    private bool TryTime(string? text, string what, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateTime.TryParseExact(text.Trim(), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = new DateTimeOffset(parsed, TimeSpan.Zero);
            return true;
        }

        Refusal = $"The {what} time '{text}' is not {TimeFormat} (UTC), e.g. 2026-12-24 18:00.";
        return false;
    }

    private static string Words(IEnumerable<NetLab.Core.Validation.Problem> problems) =>
        string.Join("; ", problems.Select(p => string.IsNullOrEmpty(p.Hint) ? p.Message : $"{p.Message} ({p.Hint})"));

    /// <summary>The publish form's fields, as typed.</summary>
    private sealed class PublishForm
    {
        public string? Title { get; set; }

        public string? Source { get; set; }

        public string? Checks { get; set; }

        public string? Starts { get; set; }

        public string? Due { get; set; }

        public bool ShowExplanations { get; set; } = true;
    }
}
