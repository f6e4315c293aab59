using System.Runtime.CompilerServices;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Model;

/// <summary>
/// Live state from the agent's event stream. The stream breaks when the agent restarts or the lab is not applied
/// yet; rather than end, this waits briefly and subscribes again, and the agent starts every subscription with
/// fresh snapshots, so a watcher is never left with a gap.
/// </summary>
public sealed partial class AgentLabEventSource(AgentClient agent, TimeProvider time, ILogger<AgentLabEventSource> logger) : ILabEventSource
{
    /// <summary>Short, so that a change made while the agent was away still shows within about a second.</summary>
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    public async IAsyncEnumerable<LabEvent> WatchAsync(string lab, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One lab-wide Resync per outage, not one per failed attempt.
        var outageAnnounced = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            var events = agent.EventsAsync(lab, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    var next = await NextAsync(events).ConfigureAwait(false);
                    if (next.Failure is not null)
                    {
                        failure = next.Failure;
                        break;
                    }

                    outageAnnounced = false;
                    yield return next.Event!;
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            LogStreamBroke(logger, lab, failure);
            if (!outageAnnounced)
            {
                outageAnnounced = true;
                yield return new LabEvent(LabEventKind.Resync, lab, "", time.GetUtcNow(), Message: failure);
            }

            await Task.Delay(ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<LabState?> ReadStateAsync(string lab, CancellationToken cancellationToken)
    {
        try
        {
            return await agent.GetLabAsync(lab, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentClientException error) when (error.Error.Code == AgentErrorCodes.NotFound)
        {
            return null;
        }
    }

    private static async Task<(LabEvent? Event, string? Failure)> NextAsync(IAsyncEnumerator<LabEvent> events)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false)
                ? (events.Current, null)
                : (null, "The agent ended the event stream.");
        }
        catch (AgentClientException error) when (error.Error.Code == AgentErrorCodes.NotFound)
        {
            return (null, "The kernel holds no such lab yet: apply it to see its interfaces.");
        }
        catch (AgentClientException error)
        {
            return (null, error.Error.Message);
        }
        catch (AgentUnavailableException error)
        {
            return (null, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream of lab {Lab} broke ({Failure}); subscribing again")]
    private static partial void LogStreamBroke(ILogger logger, string lab, string failure);
}
