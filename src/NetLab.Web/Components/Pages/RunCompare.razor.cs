using Microsoft.AspNetCore.Components;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>Two runs side by side: what differs in their labs (the planner's operations) and which pairs changed outcome.</summary>
public sealed partial class RunCompare
{
    [Inject]
    private RunStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter]
    public long First { get; set; }

    [Parameter]
    public long Second { get; set; }

    private RunComparison? Comparison { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        var first = await Store.GetRunAsync(User.Id, First);
        var second = await Store.GetRunAsync(User.Id, Second);
        Comparison = first is null || second is null
            ? null
            : RunComparison.Compare(first, await Store.GetEntriesAsync(User.Id, First), second, await Store.GetEntriesAsync(User.Id, Second));
    }
}
