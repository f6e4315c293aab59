using System.Net;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Client;

/// <summary>The agent answered with an error (its <see cref="AgentError"/>), or its answer could not be read.</summary>
public sealed class AgentClientException(HttpStatusCode statusCode, AgentError error, Exception? innerException = null)
    : Exception(error?.Message, innerException)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public AgentError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}

/// <summary>No agent could be reached on the socket: it does not exist, nobody listens, or its permissions shut us out.</summary>
public sealed class AgentUnavailableException(string socketPath, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string SocketPath { get; } = socketPath;

    public static AgentUnavailableException NoAgent(string socketPath, Exception? innerException = null) => new(
        socketPath,
        $"no NetLab agent at {socketPath}: start it with `sudo netlab agent{(socketPath == AgentSocket.DefaultPath ? "" : $" --socket {socketPath}")}`",
        innerException);

    public static AgentUnavailableException PermissionDenied(string socketPath, Exception? innerException = null) => new(
        socketPath,
        $"permission denied on {socketPath}: the socket is mode 0660; run as root, or have the agent started with `--allow-gid` of a group you are in (the socket then belongs to that group)",
        innerException);
}
