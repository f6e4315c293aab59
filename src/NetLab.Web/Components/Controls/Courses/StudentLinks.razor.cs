using Microsoft.AspNetCore.Components;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Courses;

/// <summary>
/// How many of a student's applied links are up and down now, for the instructor's overview. The lab is read through
/// <see cref="LabReaders"/> as the signed-in instructor (so a row shows nothing it may not read), and watched through
/// the shared <see cref="LiveLabs"/>: one agent stream per lab, whoever else watches it, never one per overview row and viewer.
/// </summary>
public sealed partial class StudentLinks : IDisposable
{
    private LiveWatch? _watch;
    private long? _watchedLab;

    [Inject]
    private LiveLabs Live { get; set; } = default!;

    [Inject]
    private LabReaders Readers { get; set; } = default!;

    [Inject]
    private LabStore Labs { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The student's copy.</summary>
    [Parameter, EditorRequired]
    public long LabId { get; set; }

    /// <summary>Whether the copy is applied: only then is there a kernel state to watch.</summary>
    [Parameter]
    public bool Applied { get; set; }

    /// <summary>Settable for tests; the dashboard's rhythm is the default.</summary>
    [Parameter]
    public TimeSpan Throttle { get; set; } = UpdateThrottle.DefaultInterval;

    private (int Up, int Down) Counts => _watch is null ? (0, 0) : Count(_watch.State);

    private string Text => _watch is null ? "-" : _watch.State.Namespaces.Count == 0 ? "..." : $"{Counts.Up} up, {Counts.Down} down";

    /// <summary>
    /// The links of a lab's live state that are up and down. A namespace's loopback is left out: it is no link of the
    /// student's topology (and the kernel leaves it down in every new namespace). A link is up when the kernel says its
    /// operational state is up, or "unknown" (devices without carrier reporting, such as dummies) while set up.
    /// </summary>
    public static (int Up, int Down) Count(LiveLabState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var links = state.Namespaces.SelectMany(n => n.Interfaces).Select(i => i.State).Where(i => i.Name != "lo").ToList();
        var up = links.Count(i => string.Equals(i.OperState, "up", StringComparison.OrdinalIgnoreCase) ||
                                  (i.Up && string.Equals(i.OperState, "unknown", StringComparison.OrdinalIgnoreCase)));
        return (up, links.Count - up);
    }

    protected override async Task OnParametersSetAsync()
    {
        // A prerender is thrown away as soon as it is sent: subscribing there would only open and drop an agent stream.
        if (!RendererInfo.IsInteractive || (Applied && _watchedLab == LabId))
        {
            return;
        }

        _watch?.Dispose();
        (_watch, _watchedLab) = (null, null);
        if (Applied && await Readers.ReadLabAsync(User, LabId) is { } reading)
        {
            _watch = new LiveWatch(Live, await KernelLabs.OfAsync(Labs, reading.Lab), Throttle, RenderAsync, Time);
            _watchedLab = LabId;
        }
    }

    public void Dispose() => _watch?.Dispose();

    private async Task RenderAsync()
    {
        try
        {
            await InvokeAsync(StateHasChanged);
        }
        catch (ObjectDisposedException)
        {
            // The circuit closed between the change and the render.
        }
    }
}
