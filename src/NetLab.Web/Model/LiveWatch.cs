using NetLab.Web.Agent;

namespace NetLab.Web.Model;

/// <summary>
/// A component's hold on a lab's shared live state: the lease, and a throttle that turns the state's changes into at
/// most one update of the component per interval. Dispose it when the component goes or watches another lab.
/// </summary>
public sealed class LiveWatch : IDisposable
{
    private readonly LiveLabs.LiveLease _lease;
    private readonly UpdateThrottle _throttle;

    // `update` runs on a timer thread: a component marshals it (InvokeAsync); it must not throw.
    public LiveWatch(LiveLabs labs, OwnedKernelLab lab, TimeSpan interval, Func<Task> update, TimeProvider time, bool leading = false)
    {
        ArgumentNullException.ThrowIfNull(labs);
        _lease = labs.Watch(lab);
        Kernel = lab;
        _throttle = new UpdateThrottle(interval, update, time, leading);
        _lease.State.Changed += _throttle.Signal;
    }

    public LiveLabState State => _lease.State;

    public string Lab => _lease.State.Lab;

    /// <summary>The lab watched, and whom the watch acts for.</summary>
    public OwnedKernelLab Kernel { get; }

    public void Dispose()
    {
        _lease.State.Changed -= _throttle.Signal;
        _throttle.Dispose();
        _lease.Dispose();
    }
}
