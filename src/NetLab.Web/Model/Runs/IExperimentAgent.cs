using System.Runtime.CompilerServices;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Model.Runs;

/// <summary>
/// The agent's experiment calls as a run uses them: the connectivity check and packet capture. The app's is the agent
/// (<see cref="AgentExperiments"/>); tests drive a fake, as they do <see cref="ILabRunner"/> and <see cref="ILabEventSource"/>.
/// </summary>
public interface IExperimentAgent
{
    /// <summary>Checks connectivity from every namespace of the lab to every address in it; failures as the outcome's error.</summary>
    Task<RunnerOutcome<ProbeReport>> ProbeAsync(string lab, ProbeRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Captures on one interface until <paramref name="cancellationToken"/> ends it: a Started item, then frames; an
    /// agent that cannot capture gives an Error item (never an exception).
    /// </summary>
    IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string lab, CaptureRequest request, CancellationToken cancellationToken);
}

public sealed class AgentExperiments(AgentClient agent) : IExperimentAgent
{
    public Task<RunnerOutcome<ProbeReport>> ProbeAsync(string lab, ProbeRequest request, CancellationToken cancellationToken) =>
        LabRunner.CallAsync(agent, () => agent.ProbeAsync(lab, request, cancellationToken));

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string lab, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = agent.CaptureAsync(lab, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                CaptureStreamItem? item;
                try
                {
                    item = await items.MoveNextAsync().ConfigureAwait(false) ? items.Current : null;
                }
                catch (AgentUnavailableException error)
                {
                    item = new CaptureStreamItem(Error: new AgentError(AgentErrorCodes.ConnectionLost, LabRunner.UnavailableMessage(agent.SocketPath, error)));
                }
                catch (AgentClientException error)
                {
                    item = new CaptureStreamItem(Error: error.Error);
                }

                if (item is null)
                {
                    yield break;
                }

                yield return item;
                if (item.Error is not null)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
    }
}
