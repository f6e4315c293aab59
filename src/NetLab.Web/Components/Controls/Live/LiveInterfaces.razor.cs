using NetLab.Web.Agent;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls.Live;

/// <summary>
/// Every interface of a lab as the kernel holds it now, per namespace: state, carrier, MAC, addresses and rx/tx rates.
/// The state is the lab's shared one (<see cref="LiveLabs"/>). Changes re-render at most every 100 ms, through
/// <see cref="ComponentBase.InvokeAsync(Func{Task})"/>, since they arrive on the agent's thread.
/// </summary>
public sealed partial class LiveInterfaces : IDisposable
{
    private LiveWatch? _watch;

    [Inject]
    private LiveLabs Live { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The lab in the kernel and its owner (<see cref="KernelLabs.OfAsync"/>); null shows nothing.</summary>
    [Parameter, EditorRequired]
    public OwnedKernelLab? Lab { get; set; }

    /// <summary>Settable for tests; the dashboard's rhythm is the default.</summary>
    [Parameter]
    public TimeSpan Throttle { get; set; } = UpdateThrottle.DefaultInterval;

    private LiveLabState State => _watch?.State ?? LiveLabState.None;

    protected override void OnParametersSet()
    {
        // A prerender is thrown away as soon as it is sent: subscribing there would only open and drop an agent stream.
        if (!RendererInfo.IsInteractive || _watch?.Kernel == Lab || Lab is null)
        {
            return;
        }

        _watch?.Dispose();
        _watch = new LiveWatch(Live, Lab, Throttle, RenderAsync, Time);
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
