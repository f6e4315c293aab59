using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Cli.Backends;

/// <summary>The agent, through its Unix socket.</summary>
internal sealed class RemoteBackend(AgentClient client) : ILabBackend
{
    public Task<PlanView> PlanAsync(LabDocument document, CancellationToken cancellationToken) => client.PlanAsync(document, cancellationToken);

    public IAsyncEnumerable<ApplyStreamItem> ApplyAsync(LabDocument document, CancellationToken cancellationToken) => client.ApplyAsync(document, cancellationToken);

    public IAsyncEnumerable<ApplyStreamItem> DestroyAsync(string labName, CancellationToken cancellationToken) => client.DestroyAsync(labName, cancellationToken);

    public async Task<IReadOnlyList<LabState>> StateAsync(string? labName, CancellationToken cancellationToken) =>
        labName is null ? await client.GetLabsAsync(cancellationToken).ConfigureAwait(false) : [await client.GetLabAsync(labName, cancellationToken).ConfigureAwait(false)];

    public IAsyncEnumerable<LabEvent> EventsAsync(string labName, CancellationToken cancellationToken) => client.EventsAsync(labName, cancellationToken);

    public IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, CancellationToken cancellationToken) => client.CaptureAsync(labName, request, cancellationToken);
    public Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken) => client.ProbeAsync(labName, request, cancellationToken);

    public void Dispose() => client.Dispose();
}
