using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Runs;

/// <summary>
/// The timeline's markers. They depend on the run alone, so they render once per run, not on every scrub step (a
/// component re-renders whenever its parent does unless it says otherwise).
/// </summary>
public sealed partial class RunTimelineMarkers
{
    private RunReplay? _renderedFor;
    private IReadOnlyList<TimelineMarker> _markers = [];

    [Parameter, EditorRequired]
    public RunReplay Replay { get; set; } = default!;

    /// <summary>A marker was clicked: go to its moment (milliseconds after the start).</summary>
    [Parameter]
    public EventCallback<long> OnSeek { get; set; }

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(_renderedFor, Replay))
        {
            _markers = Replay.Markers();
        }
    }

    protected override bool ShouldRender() => !ReferenceEquals(_renderedFor, Replay);

    protected override void OnAfterRender(bool firstRender) => _renderedFor = Replay;

    private static string KindClass(RunEntryKind kind) => RunRecorder.KindText(kind).ToLowerInvariant();

    private double Percent(long offset) => Replay.DurationMilliseconds == 0 ? 0 : 100.0 * offset / Replay.DurationMilliseconds;

    private string MarkerStyle(TimelineMarker marker) => string.Create(CultureInfo.InvariantCulture,
        $"position: absolute; left: calc({Percent(marker.OffsetMilliseconds):0.###}% - 3px); top: {Row(marker.Kind)}px; width: 6px; height: 6px; border-radius: 3px; cursor: pointer; background: {Colour(marker.Kind)};");

    // One row per family, so that a probe among a thousand events stays visible.
    private static int Row(RunEntryKind kind) => kind switch
    {
        RunEntryKind.Operation or RunEntryKind.Applied => 0,
        RunEntryKind.Event => 8,
        _ => 16,
    };

    private static string Colour(RunEntryKind kind) => kind switch
    {
        RunEntryKind.Operation => "var(--mud-palette-primary)",
        RunEntryKind.Applied => "var(--mud-palette-success)",
        RunEntryKind.Event => "var(--mud-palette-info)",
        RunEntryKind.Probe or RunEntryKind.Grade => "var(--mud-palette-secondary)",
        RunEntryKind.CaptureStarted or RunEntryKind.CaptureEnded => "var(--mud-palette-warning)",
        _ => "var(--mud-palette-text-secondary)",
    };
}
