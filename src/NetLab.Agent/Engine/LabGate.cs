namespace NetLab.Agent.Engine;

/// <summary>
/// Something that keeps some of a lab's namespaces alive past a read: an event stream (a socket and a handle in each
/// namespace it watches) or a capture (a packet socket in one). A namespace lives as long as anything holds it, so a
/// destroy that only unmounted its name would leave it running, nameless. Before a writer deletes namespaces it asks
/// every holder of the lab to let go of them.
/// </summary>
internal interface INamespaceHolder
{
    /// <summary>
    /// Closes everything this holder has open in any of <paramref name="kernelNames"/>, before returning. Called under
    /// the lab's write lock, so the holder cannot open them again until the writer is done (it opens only under a read).
    /// </summary>
    void LetGo(IReadOnlySet<string> kernelNames);
}

/// <summary>
/// One lab's gate: a reader/writer lock and the holders of its namespaces. Reads (state, plan, an event stream's look
/// for namespaces, a capture's opening, a connectivity check) share it; apply and destroy take it alone. A read opens
/// handles on the lab's namespaces by name, so a read that ran while a destroy unmounted them could open one between
/// the destroy's last look and the unmount, and keep it alive without a name. Writers are preferred: once one waits,
/// new readers queue behind it, so a stream of state reads (the web polls every second) cannot starve a destroy.
/// </summary>
internal sealed class LabGate
{
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly object _sync = new();
    private readonly List<INamespaceHolder> _holders = [];
    private int _readers;
    private TaskCompletionSource? _readersGone;

    /// <summary>Shares the lab with other readers; waits while a writer holds or waits for it.</summary>
    public async Task<IDisposable> ReadAsync(CancellationToken cancellationToken)
    {
        // The turnstile is held by a writer from its arrival to its end: a reader passes it only when no writer waits.
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            _readers++;
        }

        _turnstile.Release();
        return new Release(EndRead);
    }

    /// <summary>A read if one can be had at once, else null (a writer holds the lab or waits for it).</summary>
    public IDisposable? TryRead()
    {
        if (!_turnstile.Wait(0))
        {
            return null;
        }

        lock (_sync)
        {
            _readers++;
        }

        _turnstile.Release();
        return new Release(EndRead);
    }

    /// <summary>Takes the lab alone: waits for the readers inside to leave, and keeps new ones out until disposed.</summary>
    public async Task<IDisposable> WriteAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task gone;
        lock (_sync)
        {
            if (_readers == 0)
            {
                return new Release(() => _turnstile.Release());
            }

            _readersGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            gone = _readersGone.Task;
        }

        try
        {
            await gone.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_sync)
            {
                _readersGone = null;
            }

            _turnstile.Release();
            throw;
        }

        return new Release(() => _turnstile.Release());
    }

    /// <summary>Adds a holder of the lab's namespaces; call it under a read, where the holder opened them.</summary>
    public IDisposable Hold(INamespaceHolder holder)
    {
        lock (_sync)
        {
            _holders.Add(holder);
        }

        return new Release(() =>
        {
            lock (_sync)
            {
                _holders.Remove(holder);
            }
        });
    }

    /// <summary>Asks every holder to close what it has in <paramref name="kernelNames"/>; call it under the write lock, before deleting them.</summary>
    public void LetGo(IReadOnlySet<string> kernelNames)
    {
        if (kernelNames.Count == 0)
        {
            return;
        }

        List<INamespaceHolder> holders;
        lock (_sync)
        {
            holders = [.. _holders];
        }

        foreach (var holder in holders)
        {
            holder.LetGo(kernelNames);
        }
    }

    private void EndRead()
    {
        TaskCompletionSource? gone = null;
        lock (_sync)
        {
            if (--_readers == 0)
            {
                gone = _readersGone;
                _readersGone = null;
            }
        }

        gone?.TrySetResult();
    }

    /// <summary>Runs its action once, however often disposed.</summary>
    private sealed class Release(Action release) : IDisposable
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

/// <summary>
/// The gates of the labs in use. A gate exists while something uses it (a read, a write, a stream, a capture) and is
/// dropped with its last user, so lab names that callers make up (any name can be asked for) cost nothing once answered.
/// </summary>
internal sealed class LabGates
{
    private readonly Dictionary<string, Entry> _gates = new(StringComparer.Ordinal);

    /// <summary>How many labs have a gate now (tests check that answered requests leave none).</summary>
    public int Count
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    /// <summary>The lab's gate, kept until the lease is disposed.</summary>
    public Lease Use(string lab)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(lab, out var entry))
            {
                entry = new Entry();
                _gates[lab] = entry;
            }

            entry.Users++;
            return new Lease(this, lab, entry.Gate);
        }
    }

    private void Leave(string lab)
    {
        lock (_gates)
        {
            var entry = _gates[lab];
            if (--entry.Users == 0)
            {
                _gates.Remove(lab);
            }
        }
    }

    private sealed class Entry
    {
        public LabGate Gate { get; } = new();

        public int Users { get; set; }
    }

    /// <summary>A use of one lab's gate.</summary>
    public sealed class Lease(LabGates gates, string lab, LabGate gate) : IDisposable
    {
        private int _left;

        public LabGate Gate { get; } = gate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                gates.Leave(lab);
            }
        }
    }
}
