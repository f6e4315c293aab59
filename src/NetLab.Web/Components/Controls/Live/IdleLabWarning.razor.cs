using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Model;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Live;

/// <summary>
/// Warns the owner of an applied lab that the web will destroy it for being idle (<see cref="Agent.IdleLabReaper"/>),
/// when, and why, with "Keep it applied" (which counts as work). Read again every half minute, so the warning appears
/// on a page left open and goes once someone works on the lab; nothing for a lab that is not applied, whose owner's
/// role has no idle limit, or that someone else reads.
/// </summary>
public sealed partial class IdleLabWarning : IDisposable
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _disposed = new();

    [Inject]
    private LabActivity Activity { get; set; } = default!;

    [Inject]
    private IdleLabPolicy Policy { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    /// <summary>The warning's text; null when there is nothing to warn about.</summary>
    private string? Warning { get; set; }

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _ = RefreshEveryAsync(_disposed.Token);
        }
    }

    // The Lab parameter changes with every apply and destroy: read the activity again then.
    protected override Task OnParametersSetAsync() => ReadAsync();

    private async Task ReadAsync()
    {
        if (Lab.OwnerId != User.Id || Lab.AppliedRevision is null
            || await Activity.GetAppliedAsync(User.Id, Lab.Id) is not { } activity || Policy.DeadlineOf(activity) is not { } deadline)
        {
            Warning = null;
            return;
        }

        var now = Time.GetUtcNow();
        Warning = now < deadline.WarnFrom ? null : Describe(activity.LastActivity, deadline, now);
    }

    /// <summary>What the owner reads: since when the lab is idle, when it goes, that nothing but the namespaces goes, and how to keep it.</summary>
    public static string Describe(DateTimeOffset lastActivity, IdleDeadline deadline, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        var left = deadline.DestroyAt - now;
        var when = left <= TimeSpan.Zero ? "within a minute" : $"in {Math.Ceiling(left.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min";
        return $"Nothing has been done on this lab since {lastActivity.UtcDateTime:HH:mm} UTC: its namespaces will be destroyed {when} " +
            $"(at {deadline.DestroyAt.UtcDateTime:HH:mm} UTC; applied labs idle for {deadline.Limit.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min give their room back to the class). " +
            "The lab, its revisions, checks and runs stay: apply it again any time. An edit, apply, run or check keeps it applied, and so does this button.";
    }

    private async Task KeepAsync()
    {
        await Activity.KeepAsync(User.Id, Lab.Id);
        await ReadAsync();
    }

    private async Task RefreshEveryAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Refresh, Time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await ReadAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
