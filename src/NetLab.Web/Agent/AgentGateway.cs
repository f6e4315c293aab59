using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Agent;

/// <summary>
/// The agent over its Unix socket (<see cref="AgentClient"/>), with every failure turned into a message by
/// <see cref="Explain"/>. Each call acts for its lab's owner (<see cref="AgentClient.For"/>), so the agent sees and
/// touches only that user's labs; only a legacy kernel lab (<see cref="OwnedKernelLab.Legacy"/>) is asked about as
/// the administrator.
/// </summary>
public sealed partial class AgentGateway(AgentClient agent, TimeProvider time, ILogger<AgentGateway> logger) : IAgentGateway
{
    /// <summary>The code of a failure where no agent answered at all (not one of the agent's own codes).</summary>
    public const string Unavailable = "agent-unavailable";

    /// <summary>Short, so that a change made while the agent was away still shows within about a second.</summary>
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>Is this what talking to the agent can throw (and <see cref="Explain"/> explains)?</summary>
    public static bool IsAgentFailure(Exception error) => error is AgentClientException or AgentUnavailableException or IOException;

    /// <summary>
    /// The one rule that turns what talking to the agent threw into what the user reads: an agent that is not there
    /// (with how to start it), a lab it refused (with its problems), or the agent's own message.
    /// </summary>
    public static AgentFailure Explain(Exception error, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            AgentUnavailableException unavailable => new(UnavailableMessage(socketPath, unavailable), Unavailable, []),
            AgentClientException { Error.Code: AgentErrorCodes.InvalidLab } invalid =>
                new("The agent refused the lab: it is not valid. Nothing was changed.", AgentErrorCodes.InvalidLab, invalid.Error.Problems ?? []),
            AgentClientException { Error.Code: AgentErrorCodes.InvalidChecks } invalid =>
                new("The agent refused the checks: they do not read, or do not fit the lab as it is applied. Nothing was probed.", AgentErrorCodes.InvalidChecks, invalid.Error.Problems ?? []),
            AgentClientException refused => new(refused.Error.Message, refused.Error.Code, []),
            IOException broken => new($"The connection to the agent at {socketPath} broke: {broken.Message}", AgentErrorCodes.ConnectionLost, []),
            _ => throw new ArgumentException($"{error.GetType().Name} is not an agent failure.", nameof(error), error),
        };
    }

    /// <summary>What to tell the user when no agent answers at <paramref name="socketPath"/>.</summary>
    public static string UnavailableMessage(string socketPath, Exception error) =>
        error?.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied }
            ? $"The web may not use the NetLab agent at {socketPath}: {error.Message}"
            : $"The NetLab agent is not running at {socketPath}: start it with `sudo netlab agent" +
              (socketPath == AgentSocket.DefaultPath ? "`" : $" --socket {socketPath}`");

    /// <summary>The client that asks about <paramref name="lab"/>: acting for its owner, or the administrator's for a legacy kernel lab.</summary>
    public AgentClient ClientFor(OwnedKernelLab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return lab.ActingUser is { } user ? agent.For(user) : agent;
    }

    /// <summary>The lab's text under the lab's kernel name: the agent applies it as that, whatever the YAML's <c>name</c>.</summary>
    public static LabDocument DocumentOf(OwnedKernelLab lab, string yaml)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return new LabDocument(yaml, Name: lab.Name);
    }

    public Task<AgentOutcome<PlanView>> PlanAsync(OwnedKernelLab lab, string yaml, CancellationToken cancellationToken = default) =>
        CallAsync(() => ClientFor(lab).PlanAsync(DocumentOf(lab, yaml), cancellationToken));

    public Task<AgentOutcome<ApplyResult>> ApplyAsync(OwnedKernelLab lab, string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default) =>
        CallAsync(() => ResultOfAsync(ClientFor(lab).ApplyAsync(DocumentOf(lab, yaml), cancellationToken), onProgress));

    public Task<AgentOutcome<ApplyResult>> DestroyAsync(OwnedKernelLab lab, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default) =>
        CallAsync(() => ResultOfAsync(ClientFor(lab).DestroyAsync(lab.Name, cancellationToken), onProgress));

    public Task<AgentOutcome<ProbeReport>> ProbeAsync(OwnedKernelLab lab, ProbeRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(() => ClientFor(lab).ProbeAsync(lab.Name, request, cancellationToken));

    /// <summary>Grades under the lab's kernel name: the request's lab document is sent under that name, as an apply's is.</summary>
    public Task<AgentOutcome<GradeView>> GradeAsync(OwnedKernelLab lab, GradeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(() => ClientFor(lab).GradeAsync(lab.Name, request with { Lab = request.Lab with { Name = lab.Name } }, cancellationToken));
    }

    public Task<AgentOutcome<LabState>> StateAsync(OwnedKernelLab lab, CancellationToken cancellationToken = default) =>
        CallAsync(() => ClientFor(lab).GetLabAsync(lab.Name, cancellationToken));

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(OwnedKernelLab lab, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = ClientFor(lab).CaptureAsync(lab.Name, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                var (item, failure) = await NextAsync(items).ConfigureAwait(false);
                if (failure is not null)
                {
                    yield return new CaptureStreamItem(Error: new AgentError(failure.Code, failure.Message));
                    yield break;
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

    /// <summary>
    /// Rather than end when the stream breaks, waits briefly and subscribes again; the agent starts every subscription
    /// with fresh snapshots, so a watcher is never left with a gap.
    /// </summary>
    public async IAsyncEnumerable<LabEvent> WatchAsync(OwnedKernelLab lab, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = ClientFor(lab);
        // One lab-wide Resync per outage, not one per failed attempt.
        var outageAnnounced = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            var events = client.EventsAsync(lab.Name, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    var (next, broke) = await NextAsync(events).ConfigureAwait(false);
                    if (broke is not null || next is null)
                    {
                        failure = broke is null ? "The agent ended the event stream."
                            : broke.Code == AgentErrorCodes.NotFound ? "The kernel holds no such lab yet: apply it to see its interfaces."
                            : broke.Message;
                        break;
                    }

                    outageAnnounced = false;
                    yield return next;
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

            LogStreamBroke(logger, lab.Name, failure);
            if (!outageAnnounced)
            {
                outageAnnounced = true;
                yield return new LabEvent(LabEventKind.Resync, lab.Name, "", time.GetUtcNow(), Message: failure);
            }

            await Task.Delay(ReconnectDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An agent call as an outcome: the agent's answers and its absence become messages, never exceptions.</summary>
    private async Task<AgentOutcome<T>> CallAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return AgentOutcome<T>.Success(await call().ConfigureAwait(false));
        }
        catch (Exception error) when (IsAgentFailure(error))
        {
            return AgentOutcome<T>.Failed(Explain(error, agent.SocketPath));
        }
    }

    /// <summary>The next item of an agent stream, or why there is none (null, null: the stream ended).</summary>
    private async Task<(T? Item, AgentFailure? Failure)> NextAsync<T>(IAsyncEnumerator<T> items)
        where T : class
    {
        try
        {
            return await items.MoveNextAsync().ConfigureAwait(false) ? (items.Current, null) : (null, null);
        }
        catch (Exception error) when (IsAgentFailure(error))
        {
            return (null, Explain(error, agent.SocketPath));
        }
    }

    private static async Task<ApplyResult> ResultOfAsync(IAsyncEnumerable<ApplyStreamItem> stream, Action<OperationProgress> onProgress)
    {
        await foreach (var item in stream.ConfigureAwait(false))
        {
            if (item.Progress is { } progress)
            {
                onProgress(progress);
            }

            if (item.Result is { } result)
            {
                return result;
            }
        }

        // The client already refuses a stream without a result; this keeps the compiler and a future client honest.
        throw new AgentClientException(HttpStatusCode.OK, new AgentError(AgentErrorCodes.BadResponse, "The agent ended the stream without a result."));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream of lab {Lab} broke ({Failure}); subscribing again")]
    private static partial void LogStreamBroke(ILogger logger, string lab, string failure);
}
