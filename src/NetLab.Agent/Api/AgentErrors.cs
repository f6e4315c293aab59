using Microsoft.AspNetCore.Http;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Validation;
using NetLab.Netlink;

namespace NetLab.Agent.Api;

/// <summary>An error with the HTTP status it is answered with.</summary>
public sealed record HttpAgentError(int StatusCode, AgentError Error);

/// <summary>Turns what the engine throws into the API's errors; the CLI's in-process mode uses the same mapping.</summary>
public static class AgentErrors
{
    public static HttpAgentError FromException(Exception exception) => exception switch
    {
        InvalidLabException invalid => InvalidLab(invalid.Problems),
        NetLab.Agent.Engine.LabObjectNotFoundException notFound => new(StatusCodes.Status404NotFound, new AgentError(AgentErrorCodes.NotFound, notFound.Message)),
        LabNotFoundException missing => LabNotFound(missing.LabName),
        // A request that would touch what is not NetLab's (a namespace someone else made under a lab's name).
        AgentRefusalException refused => new(StatusCodes.Status400BadRequest, new AgentError(AgentErrorCodes.BadRequest, refused.Message)),
        AgentBusyException busy => Busy(busy.Message),
        NetlinkException kernel => new(
            StatusCodes.Status500InternalServerError,
            new AgentError(AgentErrorCodes.KernelError, $"The kernel refused: {kernel.Message}. Check `netlab doctor` for what this kernel supports.")),
        // Kestrel stops a body longer than its limit while an endpoint reads it (a chunked body has no length to check first).
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => RequestLimits.TooLarge("The body is longer than that"),
        BadHttpRequestException unreadable => BadRequest($"The request could not be read: {unreadable.Message}"),
        // The engine refuses requests that cannot be right (an unknown lab name, a name too long) with ArgumentException.
        ArgumentException argument => new(
            StatusCodes.Status400BadRequest,
            new AgentError(AgentErrorCodes.BadRequest, argument.Message)),
        _ => new(
            StatusCodes.Status500InternalServerError,
            new AgentError(AgentErrorCodes.InternalError, $"The agent failed: {exception.GetType().Name}: {exception.Message}. See the agent's log for details.")),
    };

    public static HttpAgentError InvalidLab(IReadOnlyList<Problem> problems) =>
        Unprocessable(AgentErrorCodes.InvalidLab, problems, $"The lab has {Problems(problems)}; nothing was changed. Fix {Them(problems)} (each problem says how) and send the lab again.");

    public static HttpAgentError InvalidChecks(IReadOnlyList<Problem> problems) =>
        Unprocessable(AgentErrorCodes.InvalidChecks, problems, $"The checks have {Problems(problems)}; nothing was probed. Fix {Them(problems)} (each problem says how; docs/checks.md has the format) and send them again.");

    private static HttpAgentError Unprocessable(string code, IReadOnlyList<Problem> problems, string message) =>
        new(StatusCodes.Status422UnprocessableEntity, new AgentError(code, message, problems));

    private static string Problems(IReadOnlyList<Problem> problems) => $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")}";

    private static string Them(IReadOnlyList<Problem> problems) => problems.Count == 1 ? "it" : "them";

    public static HttpAgentError LabNotFound(string labName) => new(
        StatusCodes.Status404NotFound,
        new AgentError(AgentErrorCodes.NotFound, $"The kernel holds no lab named '{labName}'. Apply it first (`netlab apply FILE`), or list the labs there are with `netlab state`."));

    /// <summary>409: another user (or the administrator) holds a lab of this name; the web gives every lab a name of its own.</summary>
    public static HttpAgentError LabTaken(string labName) => new(
        StatusCodes.Status409Conflict,
        new AgentError(AgentErrorCodes.LabTaken, $"A lab named '{labName}' is held by someone else; nothing was changed. Give the lab another name."));

    /// <summary>The HTTP status an error code is answered with.</summary>
    public static int StatusOf(string code) => code switch
    {
        AgentErrorCodes.InvalidLab or AgentErrorCodes.InvalidChecks => StatusCodes.Status422UnprocessableEntity,
        AgentErrorCodes.NotFound => StatusCodes.Status404NotFound,
        AgentErrorCodes.ForbiddenPeer => StatusCodes.Status403Forbidden,
        AgentErrorCodes.BadRequest => StatusCodes.Status400BadRequest,
        AgentErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        AgentErrorCodes.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        AgentErrorCodes.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        AgentErrorCodes.Busy => StatusCodes.Status429TooManyRequests,
        AgentErrorCodes.LabTaken => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>429 busy: the agent is at one of its limits; the message names it and what frees room.</summary>
    public static HttpAgentError Busy(string message) => new(
        StatusCodes.Status429TooManyRequests,
        new AgentError(AgentErrorCodes.Busy, message));

    public static HttpAgentError BadRequest(string message) => new(
        StatusCodes.Status400BadRequest,
        new AgentError(AgentErrorCodes.BadRequest, message));
}
