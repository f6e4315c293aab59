using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using NetLab.Agent.Contracts;
using NetLab.Core.Labs;
using NetLab.Web.Model;

namespace NetLab.Web.Hubs;

/// <summary>
/// The public live-state hub at <see cref="Path"/> (docs/web-api.md): the same events the dashboard shows, for other
/// clients. A client that reconnects calls <see cref="Watch"/> again and starts from fresh snapshots.
/// </summary>
public sealed class LabsHub(ILabEventSource source) : Hub
{
    public const string Path = "/hubs/labs";

    /// <summary>A snapshot of each namespace of the lab, then every change, until the client stops the stream.</summary>
    public async IAsyncEnumerable<LabEvent> Watch(string lab, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (LabName.Problem(lab) is { } problem)
        {
            // Thrown from inside the stream: only there does SignalR pass a HubException's message on to the client.
            throw new HubException(problem);
        }

        await foreach (var change in source.WatchAsync(lab, cancellationToken).ConfigureAwait(false))
        {
            yield return change;
        }
    }
}
