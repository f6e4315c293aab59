using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>
/// A course's audit log for its instructor: who applied, destroyed, reset or submitted which student's copy, newest
/// first, <see cref="AuditLog.PageSize"/> rows a page (<c>?page=N</c>). Anyone else, a student of the course or another
/// instructor, reads that there is no such course, as for one that does not exist, and the attempt is logged.
/// </summary>
public sealed partial class CourseAudit
{
    [Parameter]
    public long CourseId { get; set; }

    /// <summary>The page from 1 (newest); the query's <c>page</c>.</summary>
    [SupplyParameterFromQuery(Name = "page")]
    public int? PageNumber { get; set; }

    [Inject]
    private AuditLog Log { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private ILogger<CourseAudit> Logger { get; set; } = default!;

    private AuditPage? Shown { get; set; }

    private bool Loaded { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        Shown = await Log.ReadAsync(User, CourseId, PageNumber ?? 1);
        Loaded = true;
        if (Shown is null)
        {
            Logger.LogWarning("User {UserId} asked for the audit log of course {CourseId}, which is not theirs to read (or does not exist)", User.Id, CourseId);
        }
    }

    private string PageLink(int number) => string.Create(CultureInfo.InvariantCulture, $"courses/{CourseId}/audit?page={Math.Max(1, number)}");

    private static string UserText(string? name, long id) => name ?? string.Create(CultureInfo.InvariantCulture, $"user {id} (deleted)");
}
