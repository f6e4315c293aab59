using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;

namespace NetLab.Agent.Api;

/// <summary>
/// How many long-lived requests the agent serves at once. A capture is a thread, a packet socket and a queue; an event
/// stream a socket per namespace of its lab; a doctor run creates and deletes links of every kind; a connectivity check
/// holds its lab's lock for up to its timeout per wave. Unbounded, any admitted caller could exhaust root's threads,
/// memory or descriptors, or keep a lab's apply waiting. A request over a limit is refused at once with
/// <see cref="AgentBusyException"/> (429 busy) naming the limit and what frees room, rather than queued: it would wait
/// for a client that may never leave. A slot is taken before the engine is called and given back when the request ends.
/// </summary>
internal sealed class ConcurrencyLimits(AgentOptions options)
{
    /// <summary>A doctor run at a time: two would create the same scratch links and measure each other.</summary>
    public const int MaxDoctorRuns = 1;

    /// <summary>A connectivity check per lab at a time: a second would hold the lab's lock as long again for the same answer.</summary>
    public const int MaxProbesPerLab = 1;

    private readonly object _gate = new();
    private readonly Dictionary<string, int> _capturesByLab = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _probesByLab = new(StringComparer.Ordinal);
    private int _captures;
    private int _eventStreams;
    private int _doctorRuns;

    public int Captures
    {
        get
        {
            lock (_gate)
            {
                return _captures;
            }
        }
    }

    public int EventStreams
    {
        get
        {
            lock (_gate)
            {
                return _eventStreams;
            }
        }
    }

    /// <summary>A capture slot on <paramref name="lab"/>, held until disposed.</summary>
    /// <exception cref="AgentBusyException">The agent or the lab runs as many captures as it may.</exception>
    public IDisposable StartCapture(string lab)
    {
        lock (_gate)
        {
            if (_captures >= options.MaxCaptures)
            {
                throw new AgentBusyException(
                    $"The agent runs {_captures} captures, its limit ({options.MaxCaptures} at once: each is a thread, a packet socket and up to {options.CaptureQueueBytes / (1024 * 1024)} MiB of queued frames). "
                    + "Nothing was started. Stop a capture (close its page, or Ctrl-C its `netlab capture`) and start this one again.");
            }

            var onLab = _capturesByLab.GetValueOrDefault(lab);
            if (onLab >= options.MaxCapturesPerLab)
            {
                throw new AgentBusyException(
                    $"Lab '{lab}' has {onLab} captures running, the limit per lab ({options.MaxCapturesPerLab} at once, so that one lab cannot take all {options.MaxCaptures} of the agent's). "
                    + "Nothing was started. Stop one of the lab's captures and start this one again.");
            }

            _captures++;
            _capturesByLab[lab] = onLab + 1;
        }

        return new Slot(() =>
        {
            lock (_gate)
            {
                _captures--;
                Decrement(_capturesByLab, lab);
            }
        });
    }

    /// <summary>An event stream slot, held until disposed.</summary>
    /// <exception cref="AgentBusyException">As many event streams are open as the agent serves.</exception>
    public IDisposable StartEventStream()
    {
        lock (_gate)
        {
            if (_eventStreams >= options.MaxEventStreams)
            {
                throw new AgentBusyException(
                    $"The agent serves {_eventStreams} event streams, its limit ({options.MaxEventStreams} at once: each watches every namespace of its lab). "
                    + "Close a watcher (a `netlab events`, a program reading /v1/labs/NAME/events) and try again; the dashboard shares one stream per lab however many pages show it.");
            }

            _eventStreams++;
        }

        return new Slot(() =>
        {
            lock (_gate)
            {
                _eventStreams--;
            }
        });
    }

    /// <summary>The doctor's slot, held until disposed.</summary>
    /// <exception cref="AgentBusyException">A doctor run is in progress.</exception>
    public IDisposable StartDoctor()
    {
        lock (_gate)
        {
            if (_doctorRuns >= MaxDoctorRuns)
            {
                throw new AgentBusyException(
                    $"A doctor run is in progress ({MaxDoctorRuns} at a time: it creates and deletes a link of every kind in a scratch namespace). "
                    + "Ask again when it has ended (a run takes a few seconds); its answer will be the same, since what a kernel supports does not change while it runs.");
            }

            _doctorRuns++;
        }

        return new Slot(() =>
        {
            lock (_gate)
            {
                _doctorRuns--;
            }
        });
    }

    /// <summary>A connectivity check slot on <paramref name="lab"/>, held until disposed.</summary>
    /// <exception cref="AgentBusyException">The lab is being checked already.</exception>
    public IDisposable StartProbe(string lab)
    {
        lock (_gate)
        {
            var onLab = _probesByLab.GetValueOrDefault(lab);
            if (onLab >= MaxProbesPerLab)
            {
                throw new AgentBusyException(
                    $"A connectivity check of lab '{lab}' is running ({MaxProbesPerLab} per lab at a time: a check holds the lab, so an apply or destroy waits for it). "
                    + $"Wait for its report (a check waits at most its timeout per wave, {NetLab.Agent.Client.Contracts.ProbeRequest.MaxTimeoutMilliseconds} ms at the longest) and check again.");
            }

            _probesByLab[lab] = onLab + 1;
        }

        return new Slot(() =>
        {
            lock (_gate)
            {
                Decrement(_probesByLab, lab);
            }
        });
    }

    private static void Decrement(Dictionary<string, int> counts, string lab)
    {
        if (counts[lab] == 1)
        {
            counts.Remove(lab);
        }
        else
        {
            counts[lab]--;
        }
    }

    /// <summary>Gives its slot back once, however often disposed.</summary>
    private sealed class Slot(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}
