using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Agent.Contracts;
using NetLab.Web.Model;

namespace NetLab.Web.Tests.Live;

/// <summary>
/// Live state driven by the test, as the Aspire dashboard's tests drive theirs: each watcher gets its own channel
/// holding the snapshot of the moment it subscribed, then whatever the test publishes.
/// </summary>
public sealed class FakeLabEventSource : ILabEventSource
{
    private readonly Lock _gate = new();
    private readonly List<Channel<LabEvent>> _watchers = [];

    /// <summary>The events a new watcher starts with.</summary>
    public Func<string, IReadOnlyList<LabEvent>> SnapshotOf { get; set; } = _ => [];

    /// <summary>What <see cref="ReadStateAsync"/> answers (the counters).</summary>
    public LabState? State { get; set; }

    public int ActiveWatchers
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    public async IAsyncEnumerable<LabEvent> WatchAsync(string lab, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<LabEvent>();
        lock (_gate)
        {
            // Under the lock with Publish: nothing published can fall between the snapshot and the changes.
            foreach (var initial in SnapshotOf(lab))
            {
                channel.Writer.TryWrite(initial);
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    public Task<LabState?> ReadStateAsync(string lab, CancellationToken cancellationToken) => Task.FromResult(State);

    public void Publish(params IEnumerable<LabEvent> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                foreach (var watcher in _watchers)
                {
                    watcher.Writer.TryWrite(change);
                }
            }
        }
    }

    public async Task WaitForWatchersAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (ActiveWatchers != count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

/// <summary>Events and interfaces as the agent sends them, with the fields each test cares about.</summary>
public static class LiveEvents
{
    public const string DemoLab = "demo";

    public static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static InterfaceState Interface(
        string name,
        int index,
        string operState = "up",
        bool? carrier = true,
        string? parent = null,
        IReadOnlyList<string>? addresses = null,
        ulong rx = 0,
        ulong tx = 0) =>
        new(name, index, "macvlan", "bridge", null, parent, $"02:00:00:00:00:{index:x2}", 1500, operState != "down", operState, carrier, addresses ?? [], null, null, rx, tx, 0, 0);

    public static LabEvent Snapshot(string element, params InterfaceState[] interfaces) =>
        new(LabEventKind.Snapshot, DemoLab, element, At, Snapshot: new NamespaceState(element, $"nl-{DemoLab}-{element}", interfaces));

    /// <summary>A link change as the agent may send it: never addresses, and here no parent or master (it names them only when it can).</summary>
    public static LabEvent Changed(string element, InterfaceState link) =>
        new(LabEventKind.InterfaceChanged, DemoLab, element, At, Interface: link with { Addresses = [], Parent = null, Master = null }, InterfaceName: link.Name);

    public static LabEvent Removed(string element, string name) => new(LabEventKind.InterfaceRemoved, DemoLab, element, At, InterfaceName: name);

    public static LabEvent AddressAdded(string element, string name, string address) => new(LabEventKind.AddressAdded, DemoLab, element, At, InterfaceName: name, Address: address);

    public static LabEvent AddressRemoved(string element, string name, string address) => new(LabEventKind.AddressRemoved, DemoLab, element, At, InterfaceName: name, Address: address);

    public static LabEvent Resync(string element, string message = "events were lost") => new(LabEventKind.Resync, DemoLab, element, At, Message: message);
}
