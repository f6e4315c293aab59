using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Model;

/// <summary>
/// Where live state comes from: the agent in the app, a Channel-fed fake in tests. Both the dashboard's
/// <see cref="LiveLabState"/> and the public <c>/hubs/labs</c> hub read it.
/// </summary>
public interface ILabEventSource
{
    /// <summary>
    /// A snapshot of each namespace of the lab, then its changes, until <paramref name="cancellationToken"/> ends it.
    /// A lab-wide <see cref="LabEventKind.Resync"/> (an empty <see cref="LabEvent.Element"/>) means the stream broke
    /// and fresh snapshots follow once it is back.
    /// </summary>
    IAsyncEnumerable<LabEvent> WatchAsync(string lab, CancellationToken cancellationToken);

    /// <summary>The lab's state now, read for its traffic counters; null when the kernel holds no such lab.</summary>
    Task<LabState?> ReadStateAsync(string lab, CancellationToken cancellationToken);
}
