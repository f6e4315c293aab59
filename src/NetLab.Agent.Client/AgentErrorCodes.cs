namespace NetLab.Agent.Client;

/// <summary>
/// The stable codes of <see cref="Contracts.AgentError"/>; scripts, the CLI and the web branch on these, never on
/// messages. The agent's mapping of engine exceptions to them stays in the agent (NetLab.Agent.Api.AgentErrors).
/// </summary>
public static class AgentErrorCodes
{
    public const string InvalidLab = "invalid-lab";

    /// <summary>A grade request's checks do not read or do not fit the lab (422, with the problems); nothing was probed.</summary>
    public const string InvalidChecks = "invalid-checks";
    public const string NotFound = "not-found";
    public const string KernelError = "kernel-error";
    public const string ForbiddenPeer = "forbidden-peer";
    public const string BadRequest = "bad-request";

    /// <summary>The request body is over the agent's limit (413); the message names the limit.</summary>
    public const string TooLarge = "too-large";

    /// <summary>A route of the API asked with a method it does not take (405); the message and the Allow header name the ones it takes.</summary>
    public const string MethodNotAllowed = "method-not-allowed";

    /// <summary>A POST that is not Content-Type application/json (415).</summary>
    public const string UnsupportedMediaType = "unsupported-media-type";

    /// <summary>
    /// The agent is at one of its limits (429): concurrent captures, event streams, doctor runs, a lab's connectivity
    /// check, or the namespaces it holds. The message names the limit and what frees room; nothing was changed.
    /// </summary>
    public const string Busy = "busy";

    /// <summary>A user's apply of a lab name another user or the administrator holds (409); nothing was changed.</summary>
    public const string LabTaken = "lab-taken";
    public const string InternalError = "internal-error";

    /// <summary>Client side: the connection broke in the middle of an answer.</summary>
    public const string ConnectionLost = "connection-lost";

    /// <summary>Client side: the answer was not what the API documents (e.g. a CLI and an agent of different versions).</summary>
    public const string BadResponse = "bad-response";
}
