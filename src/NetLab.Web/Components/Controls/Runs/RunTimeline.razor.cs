using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Model.Runs;

namespace NetLab.Web.Components.Controls.Runs;

/// <summary>
/// A run's timeline: markers for its entries (grouped when close, coloured by kind; click one to go there), a scrubber,
/// play/pause at a chosen speed, start/end. The position is the page's: this control reports moves through
/// <see cref="PositionChanged"/>.
/// </summary>
public sealed partial class RunTimeline : IDisposable
{
    /// <summary>How often playing moves the position (and the page renders).</summary>
    public static readonly TimeSpan PlayTick = TimeSpan.FromMilliseconds(100);

    internal static readonly double[] Speeds = [0.25, 1, 2, 5, 10, 50];

    private ITimer? _player;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Parameter, EditorRequired]
    public RunReplay Replay { get; set; } = default!;

    /// <summary>Milliseconds after the run's start.</summary>
    [Parameter]
    public long Position { get; set; }

    [Parameter]
    public EventCallback<long> PositionChanged { get; set; }

    private bool Playing => _player is not null;

    private double Speed { get; set; } = 1;

    public void Dispose() => StopPlaying();

    internal static string TimeText(long milliseconds) => $"{milliseconds / 1000.0:0.000} s";

    private double Percent(long offset) => Replay.DurationMilliseconds == 0 ? 0 : 100.0 * offset / Replay.DurationMilliseconds;

    private Task OnScrub(ChangeEventArgs change) =>
        long.TryParse(change.Value?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var position) ? SeekAsync(position) : Task.CompletedTask;

    private void OnSpeed(ChangeEventArgs change)
    {
        if (double.TryParse(change.Value?.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var speed) && speed > 0)
        {
            Speed = speed;
        }
    }

    private Task SeekAsync(long position) => PositionChanged.InvokeAsync(Math.Clamp(position, 0, Replay.DurationMilliseconds));

    private async Task TogglePlayAsync()
    {
        if (Playing)
        {
            StopPlaying();
            return;
        }

        if (Position >= Replay.DurationMilliseconds)
        {
            // Play from the start again rather than not at all.
            await SeekAsync(0);
        }

        _player = Time.CreateTimer(_ => _ = InvokeAsync(StepAsync), null, PlayTick, PlayTick);
    }

    private async Task StepAsync()
    {
        if (!Playing)
        {
            return;
        }

        var next = Position + (long)(PlayTick.TotalMilliseconds * Speed);
        if (next >= Replay.DurationMilliseconds)
        {
            next = Replay.DurationMilliseconds;
            StopPlaying();
        }

        await SeekAsync(next);
        StateHasChanged();
    }

    private void StopPlaying()
    {
        _player?.Dispose();
        _player = null;
    }
}
