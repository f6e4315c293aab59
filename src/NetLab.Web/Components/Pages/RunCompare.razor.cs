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
    private LabReaders Readers { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter]
    public long First { get; set; }

    [Parameter]
    public long Second { get; set; }

    private RunComparison? Comparison { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        // Each run as its lab's reader may read it (LabReaders), so an instructor compares a student's two runs too.
        var firstOwner = (await Readers.ReadRunAsync(User, First))?.OwnerId;
        var secondOwner = (await Readers.ReadRunAsync(User, Second))?.OwnerId;
        var first = firstOwner is { } a ? await Store.GetRunAsync(a, First) : null;
        var second = secondOwner is { } b ? await Store.GetRunAsync(b, Second) : null;
        Comparison = first is null || second is null
            ? null
            : RunComparison.Compare(first, await Store.GetEntriesAsync(firstOwner!.Value, First), second, await Store.GetEntriesAsync(secondOwner!.Value, Second));
    }
}
