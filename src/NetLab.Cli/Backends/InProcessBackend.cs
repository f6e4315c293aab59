using System.Net;
using System.Runtime.CompilerServices;
using NetLab.Agent.Api;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;

namespace NetLab.Cli.Backends;

/// <summary>
/// The engine in this process (root, no agent running). It answers exactly as the agent would: the same lab
/// reading, the same stream of progress, the same error codes.
/// </summary>
internal sealed class InProcessBackend(ILabEngine engine) : ILabBackend
{
    public Task<PlanView> PlanAsync(LabDocument document, CancellationToken cancellationToken) =>
        Translate(() => engine.PlanAsync(LabDocuments.Read(document), cancellationToken));

    public IAsyncEnumerable<ApplyStreamItem> ApplyAsync(LabDocument document, CancellationToken cancellationToken)
    {
        var lab = Translate(() => LabDocuments.Read(document));
        return Unwrap(OperationStream.Run((progress, cancel) => engine.ApplyAsync(lab, progress, cancel), cancellationToken, cancellationToken), cancellationToken);
    }

    public IAsyncEnumerable<ApplyStreamItem> DestroyAsync(string labName, CancellationToken cancellationToken) =>
        Unwrap(OperationStream.Run((progress, cancel) => engine.DestroyAsync(labName, progress, cancel), cancellationToken, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<LabState>> StateAsync(string? labName, CancellationToken cancellationToken)
    {
        var labs = await Translate(() => engine.StateAsync(labName, cancellationToken)).ConfigureAwait(false);
        if (labName is not null && labs.Count == 0)
        {
            throw AsClientException(AgentErrors.LabNotFound(labName));
        }

        return labs;
    }

    public async IAsyncEnumerable<LabEvent> EventsAsync(string labName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await StateAsync(labName, cancellationToken).ConfigureAwait(false);
        var events = engine.EventsAsync(labName, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            while (await Translate(async () => await events.MoveNextAsync().ConfigureAwait(false)).ConfigureAwait(false))
            {
                yield return events.Current;
            }
        }
    }

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = engine.CaptureAsync(labName, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            while (await Translate(async () => await items.MoveNextAsync().ConfigureAwait(false)).ConfigureAwait(false))
            {
                yield return items.Current;
            }
        }
    }
    public Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken) =>
        Translate(() => engine.ProbeAsync(labName, request, cancellationToken));

    public void Dispose()
    {
        if (engine is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private static async IAsyncEnumerable<ApplyStreamItem> Unwrap(IAsyncEnumerable<ApplyStreamItem> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item.Error is { } error)
            {
                throw AsClientException(new HttpAgentError(AgentErrors.StatusOf(error.Code), error));
            }

            yield return item;
        }
    }

    private static T Translate<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception error) when (error is not OperationCanceledException and not AgentClientException)
        {
            throw AsClientException(AgentErrors.FromException(error), error);
        }
    }

    private static async Task<T> Translate<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException and not AgentClientException)
        {
            throw AsClientException(AgentErrors.FromException(error), error);
        }
    }

    private static AgentClientException AsClientException(HttpAgentError error, Exception? cause = null) =>
        new((HttpStatusCode)error.StatusCode, error.Error, cause);
}
