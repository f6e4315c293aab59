using System.Globalization;

namespace NetLab.Cli.Launcher;

/// <summary>
/// Who the agent `netlab up` starts admits: the web's uid alone. The web's primary group owns the socket file (0660)
/// so that the web can open it, but is not admitted: it may be shared (nogroup for --web-user nobody, `users` for an
/// account made by hand, or anyone an administrator adds to it), and a member who opens the file still gets 403
/// from the agent's peer check.
/// </summary>
internal sealed record AgentAdmission(string[] Uids, string[] Gids, uint SocketGroup)
{
    public static AgentAdmission For(WebUser user) =>
        new([user.Uid.ToString(CultureInfo.InvariantCulture)], [], user.Gid);
}
