namespace NetLab.Web.Model;

/// <summary>
/// Coalesces a burst of signals into one update at most every <c>interval</c>: the first signal arms a timer, those
/// that follow before it fires ride along. A link flapping or a lab being applied sends hundreds of events a second;
/// rendering each would flood the circuit. With <c>leading</c>, a signal after a quiet interval updates at once and
/// only the rest of a burst waits: a single change then shows without the interval's delay (the canvas's kernel
/// event to DOM target), while a burst still costs at most one update per interval plus the first.
/// </summary>
public sealed class UpdateThrottle : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private readonly Func<Task> _update;
    private readonly ITimer _timer;
    private readonly TimeProvider _time;
    private readonly bool _leading;
    private long _lastFired = long.MinValue;
    private bool _pending;
    private bool _disposed;

    // `update` must not throw: nothing awaits it.
    public UpdateThrottle(TimeSpan interval, Func<Task> update, TimeProvider time, bool leading = false)
    {
        ArgumentNullException.ThrowIfNull(time);
        _interval = interval;
        _update = update;
        _time = time;
        _leading = leading;
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
            var quiet = _lastFired == long.MinValue || _time.GetElapsedTime(_lastFired) >= _interval;
            if (!(_leading && quiet))
            {
                var wait = _leading ? _interval - _time.GetElapsedTime(_lastFired) : _interval;
                _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Fire();
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
            _lastFired = _time.GetTimestamp();
        }

        _ = _update();
    }
}
