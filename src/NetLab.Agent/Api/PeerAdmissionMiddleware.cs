using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Api;

/// <summary>
/// The agent's one access check. At connect time (Kestrel connection middleware on the Unix listener) the kernel's
/// SO_PEERCRED says who connected; a refused peer's request is then answered 403 with how to allow it, and its
/// connection closed. Nothing a refused peer sends reaches an endpoint.
/// </summary>
internal static partial class PeerAdmissionMiddleware
{
    public static ConnectionDelegate CheckPeer(ConnectionDelegate next, PeerPolicy policy, ILogger logger) => async connection =>
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var peer = socket is null ? null : PeerCredentials.Of(socket);
        var admitted = peer is { } credentials && policy.Admits(credentials);
        connection.Features.Set(new PeerAdmission(peer, admitted));
        if (!admitted)
        {
            LogRefused(logger, peer?.UserId, peer?.GroupId, peer?.ProcessId);
        }

        await next(connection).ConfigureAwait(false);
    };

    /// <summary>HTTP middleware, first in the pipeline: answers a refused peer's request and closes its connection.</summary>
    public static async Task RefuseUnadmittedAsync(HttpContext context, RequestDelegate next)
    {
        var admission = context.Features.Get<PeerAdmission>();
        // No admission record: a TCP connection (configured on purpose, no peer credentials) or, failing closed,
        // a Unix connection the check did not see.
        var isTcp = context.Connection.RemoteIpAddress is not null;
        if (admission is { Admitted: true } || (admission is null && isTcp && IsLoopbackHost(context.Request.Host.Host)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (admission is null && isTcp)
        {
            // The TCP listener is on loopback, but a web page can make its own name point at 127.0.0.1 (DNS
            // rebinding) and then send requests its browser thinks go to that name: the Host header gives it away.
            context.Response.Headers.Connection = "close";
            await AgentEndpoints.WriteErrorAsync(context, new HttpAgentError(
                StatusCodes.Status403Forbidden,
                new AgentError(AgentErrorCodes.ForbiddenPeer, $"The agent's TCP listener answers only requests addressed to localhost, 127.0.0.1 or [::1], not to '{context.Request.Host}': another name pointing at this machine is how a web page would reach the agent. Use http://127.0.0.1:PORT/."))).ConfigureAwait(false);
            return;
        }

        context.Response.Headers.Connection = "close";
        var who = admission?.Peer is { } peer
            ? $"uid {peer.UserId}, gid {peer.GroupId} (pid {peer.ProcessId})"
            : "a peer whose credentials could not be read";
        var allow = admission?.Peer is { } p
            ? $"To allow it, start the agent with `--allow-uid {p.UserId}` or `--allow-gid {p.GroupId}` (or a group the user is in), or run the client as root."
            : "Connect over the agent's Unix socket.";
        await AgentEndpoints.WriteErrorAsync(context, new HttpAgentError(
            StatusCodes.Status403Forbidden,
            new AgentError(AgentErrorCodes.ForbiddenPeer, $"The agent refuses {who}: only root and the uids/gids it was started with may use it. {allow}"))).ConfigureAwait(false);
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a peer on the Unix socket: uid {Uid}, gid {Gid}, pid {Pid} (allow it with --allow-uid/--allow-gid)")]
    private static partial void LogRefused(ILogger logger, uint? uid, uint? gid, int? pid);
}
