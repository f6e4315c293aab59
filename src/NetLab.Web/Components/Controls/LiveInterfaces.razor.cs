using Microsoft.AspNetCore.Components;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls;

/// <summary>
/// Every interface of a lab as the kernel holds it now, per namespace: state, carrier, MAC, addresses and rx/tx rates.
/// Changes re-render at most every 100 ms, through <see cref="ComponentBase.InvokeAsync(Func{Task})"/>, since they
/// arrive on the event source's thread.
/// </summary>
public sealed partial class LiveInterfaces : IDisposable
{
    private CancellationTokenSource? _watching;
    private UpdateThrottle? _throttle;

    [Inject]
    private ILabEventSource Source { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The lab's name in the kernel (its YAML <c>name</c>).</summary>
    [Parameter, EditorRequired]
    public string Lab { get; set; } = "";

    /// <summary>Settable for tests; the dashboard's rhythm is the default.</summary>
    [Parameter]
    public TimeSpan Throttle { get; set; } = UpdateThrottle.DefaultInterval;

    private LiveLabState State { get; set; } = new("");

    protected override void OnParametersSet()
    {
        // A prerender is thrown away as soon as it is sent: subscribing there would only open and drop an agent stream.
        if (!RendererInfo.IsInteractive || (State.Lab == Lab && _watching is not null))
        {
            return;
        }

        Stop();
        State = new LiveLabState(Lab);
        _throttle = new UpdateThrottle(Throttle, RenderAsync, Time);
        State.Changed += _throttle.Signal;
        _watching = new CancellationTokenSource();
        _ = WatchAsync(State, _watching.Token);
    }

    public void Dispose() => Stop();

    private async Task WatchAsync(LiveLabState state, CancellationToken cancellationToken)
    {
        try
        {
            await state.RunAsync(Source, Time, cancellationToken);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            state.Fail($"Live state stopped: {error.Message}");
        }
    }

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

    private void Stop()
    {
        if (_throttle is not null)
        {
            State.Changed -= _throttle.Signal;
            _throttle.Dispose();
            _throttle = null;
        }

        _watching?.Cancel();
        _watching?.Dispose();
        _watching = null;
    }
}
