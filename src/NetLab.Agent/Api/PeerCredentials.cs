using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetLab.Agent.Api;

/// <summary>Who is on the other end of a Unix socket, as the kernel says (SO_PEERCRED): not forgeable by the peer.</summary>
public readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId)
{
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;

    /// <summary>The credentials of the process that connected, or null when the socket is not a Unix socket.</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[Marshal.SizeOf<UCred>()];
        var length = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, buffer);
        if (length < buffer.Length)
        {
            return null;
        }

        var credentials = MemoryMarshal.Read<UCred>(buffer);
        return new PeerCredentials(credentials.Pid, credentials.Uid, credentials.Gid);
    }

    /// <summary>struct ucred of &lt;sys/socket.h&gt;.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct UCred
    {
        public readonly int Pid;
        public readonly uint Uid;
        public readonly uint Gid;
    }
}

/// <summary>
/// Which peers the agent admits: root always, others only when their uid is allowed, or their group or one of their
/// supplementary groups is (SO_PEERCRED carries only the primary group; the others come from /proc/PID/status).
/// </summary>
public sealed class PeerPolicy(IReadOnlyList<uint> allowedUids, IReadOnlyList<uint> allowedGids)
{
    public bool Admits(PeerCredentials peer) =>
        peer.UserId == 0
        || allowedUids.Contains(peer.UserId)
        || allowedGids.Contains(peer.GroupId)
        || (allowedGids.Count > 0 && SupplementaryGroups(peer.ProcessId).Any(allowedGids.Contains));

    /// <summary>The "Groups:" line of /proc/PID/status; empty when the process is gone.</summary>
    internal static IEnumerable<uint> SupplementaryGroups(int processId)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{processId}/status");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var groups = lines.FirstOrDefault(l => l.StartsWith("Groups:", StringComparison.Ordinal));
        return groups is null
            ? []
            : groups["Groups:".Length..]
                .Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                .Select(g => uint.TryParse(g, System.Globalization.CultureInfo.InvariantCulture, out var gid) ? gid : (uint?)null)
                .OfType<uint>()
                .ToList();
    }
}

/// <summary>What the connection middleware found out about a Unix-socket peer, for the request pipeline to act on.</summary>
public sealed record PeerAdmission(PeerCredentials? Peer, bool Admitted);
