namespace NetLab.Web.Model;

/// <summary>
/// Coalesces a burst of signals into one update at most every <c>interval</c>: the first signal arms a timer, those
/// that follow before it fires ride along. A link flapping or a lab being applied sends hundreds of events a second;
/// rendering each would flood the circuit.
/// </summary>
public sealed class UpdateThrottle : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private readonly Func<Task> _update;
    private readonly ITimer _timer;
    private bool _pending;
    private bool _disposed;

    // `update` must not throw: nothing awaits it.
    public UpdateThrottle(TimeSpan interval, Func<Task> update, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _interval = interval;
        _update = update;
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromMilliseconds(100);

    public void Signal()
    {
        lock (_gate)
        {
            if (_pending || _disposed)
            {
                return;
            }

            _pending = true;
            _timer.Change(_interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Cleared before the update runs, so a change made during the update gets an update of its own.
            _pending = false;
        }

        _ = _update();
    }
}
