using NetLab.Agent.Client.Contracts;

namespace NetLab.Cli.Backends;

/// <summary>
/// Where a command's lab operations go: the agent over its socket, or the engine in this process. Both throw
/// <see cref="NetLab.Agent.Client.AgentClientException"/> with the API's error codes, so commands handle one kind of error.
/// </summary>
internal interface ILabBackend : IDisposable
{
    Task<PlanView> PlanAsync(LabDocument document, CancellationToken cancellationToken);

    IAsyncEnumerable<ApplyStreamItem> ApplyAsync(LabDocument document, CancellationToken cancellationToken);

    IAsyncEnumerable<ApplyStreamItem> DestroyAsync(string labName, CancellationToken cancellationToken);

    Task<IReadOnlyList<LabState>> StateAsync(string? labName, CancellationToken cancellationToken);

    IAsyncEnumerable<LabEvent> EventsAsync(string labName, CancellationToken cancellationToken);

    IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, CancellationToken cancellationToken);
    Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken);
}
