using System.Net;
using System.Net.Sockets;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;

namespace NetLab.Web.Model;

/// <summary>
/// Plan, apply and destroy for the pages. Never throws for what the agent answers or for a missing agent: the outcome
/// carries a message a student can act on, and the problems when the agent found the lab invalid.
/// </summary>
public interface ILabRunner
{
    Task<RunnerOutcome<PlanView>> PlanAsync(string yaml, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the lab. <paramref name="onProgress"/> is called on whatever thread reads the agent's stream: a
    /// component must marshal it (InvokeAsync) before touching its state.
    /// </summary>
    Task<RunnerOutcome<ApplyResult>> ApplyAsync(string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default);

    /// <summary>Removes the lab's kernel objects; progress as for <see cref="ApplyAsync"/>.</summary>
    Task<RunnerOutcome<ApplyResult>> DestroyAsync(string labName, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default);

    /// <summary>The connectivity check of an applied lab (by its kernel name): every namespace to every address.</summary>
    Task<RunnerOutcome<ProbeReport>> ProbeAsync(string labName, CancellationToken cancellationToken = default);
}

/// <summary>Either the agent's answer, or why there is none (and the lab's problems when it was invalid).</summary>
public sealed record RunnerOutcome<T>(T? Value, string? Error, IReadOnlyList<Problem> Problems)
    where T : class
{
    public bool Succeeded => Value is not null;

    public static RunnerOutcome<T> Success(T value) => new(value, null, []);

    public static RunnerOutcome<T> Failed(string error, IReadOnlyList<Problem>? problems = null) => new(null, error, problems ?? []);
}

public sealed class LabRunner(AgentClient agent) : ILabRunner
{
    public Task<RunnerOutcome<PlanView>> PlanAsync(string yaml, CancellationToken cancellationToken = default) =>
        CallAsync(agent, () => agent.PlanAsync(new LabDocument(yaml), cancellationToken));

    public Task<RunnerOutcome<ApplyResult>> ApplyAsync(string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default) =>
        CallAsync(agent, () => ResultOfAsync(agent.ApplyAsync(new LabDocument(yaml), cancellationToken), onProgress));

    public Task<RunnerOutcome<ApplyResult>> DestroyAsync(string labName, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default) =>
        CallAsync(agent, () => ResultOfAsync(agent.DestroyAsync(labName, cancellationToken), onProgress));

    public Task<RunnerOutcome<ProbeReport>> ProbeAsync(string labName, CancellationToken cancellationToken = default) =>
        CallAsync(agent, () => agent.ProbeAsync(labName, new ProbeRequest(), cancellationToken));

    /// <summary>What to tell the user when no agent answers at <paramref name="socketPath"/>.</summary>
    public static string UnavailableMessage(string socketPath, Exception error) =>
        error.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied }
            ? $"The web may not use the NetLab agent at {socketPath}: {error.Message}"
            : $"The NetLab agent is not running at {socketPath}: start it with `sudo netlab agent" +
              (socketPath == AgentSocket.DefaultPath ? "`" : $" --socket {socketPath}`");

    /// <summary>An agent call as an outcome: the agent's answers and its absence become messages, never exceptions.</summary>
    internal static async Task<RunnerOutcome<T>> CallAsync<T>(AgentClient agent, Func<Task<T>> call)
        where T : class
    {
        try
        {
            return RunnerOutcome<T>.Success(await call());
        }
        catch (AgentUnavailableException error)
        {
            return RunnerOutcome<T>.Failed(UnavailableMessage(agent.SocketPath, error));
        }
        catch (AgentClientException error) when (error.Error.Code == AgentErrorCodes.InvalidLab)
        {
            return RunnerOutcome<T>.Failed("The agent refused the lab: it is not valid. Nothing was changed.", error.Error.Problems);
        }
        catch (AgentClientException error)
        {
            return RunnerOutcome<T>.Failed(error.Error.Message);
        }
    }

    private static async Task<ApplyResult> ResultOfAsync(IAsyncEnumerable<ApplyStreamItem> stream, Action<OperationProgress> onProgress)
    {
        await foreach (var item in stream)
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
}
