using Microsoft.AspNetCore.Components;
using NetLab.Web.Components.Controls.Courses;
using NetLab.Web.Courses;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Pages;

/// <summary>
/// An assignment's overview for its instructor: one row per enrolled student (copy opened, applied revision, last
/// check, submission, last activity), read from the store four times a second while the page is open (issue 13's target:
/// a change shown within 500 ms at p95; one read is one query, and a slow read skips ticks rather than piling up).
/// Anyone else reads that there is no such assignment.
/// </summary>
public sealed partial class AssignmentOverview : IDisposable
{
    /// <summary>How often the page reads the store: what "live" means for it.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private ITimer? _timer;
    private int _refreshing;

    [Parameter]
    public long CourseId { get; set; }

    [Parameter]
    public long AssignmentId { get; set; }

    [Inject]
    private CourseStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private Assignment? Shown { get; set; }

    private bool Loaded { get; set; }

    private IReadOnlyList<OverviewRow> Rows { get; set; } = [];

    /// <summary>When the rows last changed (or were first read).</summary>
    private DateTimeOffset LastChange { get; set; }

    /// <summary>The instructor's reset and "destroy all" (Controls/Courses/AssignmentLabActions).</summary>
    private AssignmentLabActions? Actions { get; set; }

    public void Dispose() => _timer?.Dispose();

    protected override async Task OnParametersSetAsync()
    {
        var assignment = await Store.GetAssignmentAsync(User, AssignmentId);
        Shown = assignment is not null && assignment.CourseId == CourseId && await Store.TaughtCourseAsync(User, CourseId) is not null ? assignment : null;
        Loaded = true;
        if (Shown is null)
        {
            return;
        }

        Rows = await Store.OverviewAsync(User, AssignmentId);
        LastChange = Time.GetUtcNow();
        _timer ??= Time.CreateTimer(_ => _ = RefreshAsync(), null, RefreshInterval, RefreshInterval);
    }

    private static string Submitted(Submission? submission) => submission is null
        ? "no"
        : $"{submission.Passed} of {submission.Total}{(submission.Late ? ", late" : "")}";

    private async Task RefreshAsync()
    {
        // A slow store must not pile up reads: one at a time, the next tick skips while one runs.
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            var rows = await Store.OverviewAsync(User, AssignmentId);
            // Nothing changed: no render. A render re-makes each row's button handlers, and a click that reached the
            // server just after one was dropped (the Reset dialog never opened, in the browser journey at four reads a
            // second); the page renders only when a student did something.
            if (rows.SequenceEqual(Rows))
            {
                return;
            }

            await InvokeAsync(() =>
            {
                LastChange = Time.GetUtcNow();
                Rows = rows;
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The page was closed between two reads.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
