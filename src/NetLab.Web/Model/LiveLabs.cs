using NetLab.Web.Agent;

namespace NetLab.Web.Model;

/// <summary>
/// One live state per lab, shared by every component, browser tab and hub client that watches it: the canvas and the
/// interface tables of a page, twenty tabs on one lab, a hub client, all cost the agent one event stream and one
/// counter poll per lab. The first lease starts them; when the last lease is gone they stop after
/// <see cref="Grace"/>, so a page that re-renders or a tab that reloads does not tear down and reopen the stream.
/// The subscription acts for the lab's owner (<see cref="OwnedKernelLab"/>), whoever watches (a kernel name is one
/// lab's, and only the pages and hub calls of someone who may read it name it: <see cref="Store.LabReaders"/>); watchers share a state only when they name the same owner.
/// </summary>
public sealed partial class LiveLabs(IAgentGateway agent, TimeProvider time, ILogger<LiveLabs> logger) : IDisposable
{
    /// <summary>How long a lab nobody watches keeps its stream: a reload comes back within it.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<OwnedKernelLab, Watched> _labs = [];

    /// <summary>Settable for tests (zero: stop as the last lease goes).</summary>
    public TimeSpan Grace { get; init; } = DefaultGrace;

    /// <summary>How many labs have a subscription to the agent now.</summary>
    public int Subscriptions
    {
        get
        {
            lock (_gate)
            {
                return _labs.Values.Count(w => w.Running is not null);
            }
        }
    }

    /// <summary>The shared live state of <paramref name="lab"/>, kept current while the lease is held.</summary>
    public LiveLease Watch(OwnedKernelLab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentException.ThrowIfNullOrEmpty(lab.Name);
        lock (_gate)
        {
            // Keyed by name and owner: a state is only ever shared by watchers acting for the same user.
            if (!_labs.TryGetValue(lab, out var watched))
            {
                watched = _labs[lab] = new Watched(new LiveLabState(lab.Name), lab);
            }

            watched.Leases++;
            watched.Stopping?.Dispose();
            watched.Stopping = null;
            if (watched.Running is null)
            {
                Start(watched);
            }

            return new LiveLease(this, watched);
        }
    }

    /// <summary>
    /// The lab was applied or destroyed here: a subscription waiting to retry (the kernel did not hold the lab) starts
    /// again now, so every panel shows the new interfaces at once rather than at the next retry.
    /// </summary>
    public void Changed(string lab)
    {
        lock (_gate)
        {
            foreach (var watched in _labs.Values.Where(w => w.State.Lab == lab && w.Running is not null && w.State.Problem is not null))
            {
                Stop(watched);
                Start(watched);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var watched in _labs.Values)
            {
                watched.Stopping?.Dispose();
                Stop(watched);
            }

            _labs.Clear();
        }
    }

    private void Release(Watched watched)
    {
        lock (_gate)
        {
            if (--watched.Leases > 0)
            {
                return;
            }

            if (Grace <= TimeSpan.Zero)
            {
                Forget(watched);
                return;
            }

            watched.Stopping = time.CreateTimer(_ => StopIfUnwatched(watched), null, Grace, Timeout.InfiniteTimeSpan);
        }
    }

    private void StopIfUnwatched(Watched watched)
    {
        lock (_gate)
        {
            if (watched.Leases == 0 && _labs.TryGetValue(watched.Kernel, out var current) && current == watched)
            {
                Forget(watched);
            }
        }
    }

    // Under _gate.
    private void Forget(Watched watched)
    {
        watched.Stopping?.Dispose();
        watched.Stopping = null;
        Stop(watched);
        _labs.Remove(watched.Kernel);
    }

    // Under _gate.
    private void Start(Watched watched)
    {
        var running = new CancellationTokenSource();
        watched.Running = running;
        _ = Task.Run(() => RunAsync(watched.State, watched.Kernel, running.Token));
    }

    // Under _gate.
    private static void Stop(Watched watched)
    {
        if (watched.Running is { } running)
        {
            running.Cancel();
            running.Dispose();
            watched.Running = null;
        }
    }

    private async Task RunAsync(LiveLabState state, OwnedKernelLab kernel, CancellationToken cancellationToken)
    {
        try
        {
            await state.RunAsync(agent, kernel, time, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A broken subscription must not take the process down: watchers are told why.
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogStopped(logger, state.Lab, error);
            state.Fail($"Live state stopped: {error.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live state of lab {Lab} stopped")]
    private static partial void LogStopped(ILogger logger, string lab, Exception error);

    /// <summary>A lab's state, how many hold it, and its subscription (null while stopped).</summary>
    internal sealed class Watched(LiveLabState state, OwnedKernelLab kernel)
    {
        public LiveLabState State { get; } = state;

        /// <summary>The lab and whom the subscription acts for.</summary>
        public OwnedKernelLab Kernel { get; } = kernel;

        public int Leases { get; set; }

        public CancellationTokenSource? Running { get; set; }

        public ITimer? Stopping { get; set; }
    }

    /// <summary>A hold on a lab's shared live state; dispose it when the watcher goes.</summary>
    public sealed class LiveLease : IDisposable
    {
        private readonly LiveLabs _owner;
        private readonly Watched _watched;
        private int _disposed;

        internal LiveLease(LiveLabs owner, Watched watched)
        {
            _owner = owner;
            _watched = watched;
        }

        public LiveLabState State => _watched.State;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_watched);
            }
        }
    }
}
