using NetLab.Web.Agent;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;
using NetLab.Web.Model.Captures;
using NetLab.Web.Quotas;

namespace NetLab.Web.Components.Controls.Captures;

/// <summary>
/// Packet capture on one interface of a lab: choose the interface, start, stop, and see the newest frames decoded
/// as they arrive (a window of <see cref="Window"/> rows, re-rendered at most every 100 ms), with the whole capture
/// as a pcap download. The capture lives in <see cref="CaptureService"/>, so it goes on if the page is left. The
/// interfaces to choose from are the lab's shared live state (<see cref="LiveLabs"/>): an apply on the same page (or
/// anywhere) shows its new interfaces here as the kernel reports them, with no reload.
/// </summary>
public sealed partial class CaptureList : IDisposable
{
    private UpdateThrottle? _throttle;
    private LiveCapture? _subscribed;
    private LiveWatch? _live;

    [Inject]
    private CaptureService Captures { get; set; } = default!;

    [Inject]
    private LiveLabs Live { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The lab in the kernel and its owner (<see cref="KernelLabs.OfAsync"/>); null shows nothing to capture.</summary>
    [Parameter, EditorRequired]
    public OwnedKernelLab? Lab { get; set; }

    /// <summary>How many of the newest frames are listed; older ones stay in the capture (and the pcap).</summary>
    [Parameter]
    public int Window { get; set; } = 200;

    /// <summary>Settable for tests; the dashboard's rhythm is the default.</summary>
    [Parameter]
    public TimeSpan Throttle { get; set; } = UpdateThrottle.DefaultInterval;

    /// <summary>"element/interface" for every interface of the lab the kernel holds now.</summary>
    internal IReadOnlyList<string> Targets =>
        _live is null ? [] : [.. _live.State.Namespaces.SelectMany(n => n.Interfaces.Select(i => $"{n.Element}/{i.State.Name}"))];

    internal string? Target { get; private set; }

    internal LiveCapture? Current { get; private set; }

    /// <summary>Why the shown capture failed, or why there are no interfaces to choose (no agent, the lab not applied).</summary>
    /// <summary>Why the last start was refused (a quota), until the next start.</summary>
    internal string? Refused { get; private set; }

    internal string? Problem => Current?.Status == CaptureStatus.Failed ? Current.Problem
        : _live?.State is { Problem: { } problem, Namespaces.Count: 0 } ? $"Cannot list the lab's interfaces: {problem}" : null;

    private bool IsRunning => Current?.Status is CaptureStatus.Starting or CaptureStatus.Running;

    public void Dispose()
    {
        Unsubscribe();
        _throttle?.Dispose();
        _live?.Dispose();
    }

    internal static string StatusText(LiveCapture capture) => capture.Status switch
    {
        CaptureStatus.Starting => $"starting on {capture.Request.Element} {capture.Request.Interface}...",
        CaptureStatus.Running => string.Create(CultureInfo.InvariantCulture, $"capturing on {capture.Request.Element} {capture.Request.Interface}: {capture.Count} frames"),
        CaptureStatus.Stopped => string.Create(CultureInfo.InvariantCulture, $"stopped: {capture.Count} frames{(capture.Released > 0 ? $" ({capture.Released} oldest let go from memory)" : "")}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"failed after {capture.Count} frames"),
    };

    protected override void OnParametersSet()
    {
        // Prerendering is thrown away at once: no agent call for it.
        if (!RendererInfo.IsInteractive)
        {
            return;
        }

        _throttle ??= new UpdateThrottle(Throttle, RenderAsync, Time);
        if (Lab is null)
        {
            return;
        }

        if (Current is null && Captures.ForLab(User, Lab.Name).FirstOrDefault() is { } newest)
        {
            Show(newest);
        }

        if (_live?.Kernel != Lab)
        {
            _live?.Dispose();
            _live = new LiveWatch(Live, Lab, Throttle, RenderAsync, Time);
        }
    }

    private void OnTargetChanged(ChangeEventArgs change) => Target = change.Value as string;

    private void Start()
    {
        if (Lab is null || string.IsNullOrEmpty(Target) || Target.Split('/', 2) is not [var element, var interfaceName])
        {
            return;
        }

        try
        {
            Refused = null;
            Show(Captures.Start(User, Lab, new CaptureRequest(element, interfaceName)));
        }
        catch (QuotaExceededException full)
        {
            Refused = full.Message;
        }
    }

    private void Stop() => Current?.Stop();

    private void Show(LiveCapture capture)
    {
        Unsubscribe();
        Current = capture;
        Target ??= $"{capture.Request.Element}/{capture.Request.Interface}";
        _subscribed = capture;
        capture.FrameAdded += OnFrame;
        capture.StatusChanged += OnStatus;
        OnStatus(capture);
    }

    private void Unsubscribe()
    {
        if (_subscribed is { } capture)
        {
            capture.FrameAdded -= OnFrame;
            capture.StatusChanged -= OnStatus;
            _subscribed = null;
        }
    }

    private void OnFrame(LiveCapture capture, CaptureFrameView frame) => _throttle?.Signal();

    private void OnStatus(LiveCapture capture) => _throttle?.Signal();

    private async Task RenderAsync()
    {
        try
        {
            await InvokeAsync(StateHasChanged);
        }
        catch (ObjectDisposedException)
        {
            // The circuit closed between the frame and the render.
        }
    }
}
