using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetLab.Netlink.Interop;

namespace NetLab.Netlink.Probing;

/// <summary>
/// A connectivity check from inside one network namespace: an ICMP (or ICMPv6) echo to every target at once over raw
/// sockets made inside that namespace, replies matched by identifier and sequence number, one shared timeout (failures
/// time out together, not one after another), then the route and neighbour tables read over the namespace's netlink
/// handle, so that "no ARP answer" (layer 2) and "ARP answered, no echo reply" (layer 3) can be told apart.
/// Never runs the `ping` program. Needs CAP_NET_RAW in the namespace's owning user namespace (root).
/// </summary>
public static class NamespaceProbe
{
    private const int SolRaw = 255;
    private const int IcmpFilter = 1;
    private const int IcmpV6Filter = 1;
    private const int SoRcvBufForce = 33;
    private const int IpRecvErr = 11;
    private const int Ipv6RecvErr = 25;
    private const int ReceiveBufferBytes = 1 << 20;

    /// <summary>
    /// Pings every target once from the namespace of <paramref name="handle"/> and waits at most
    /// <paramref name="timeout"/> after the last send. Send and route errors are results, not exceptions; only a
    /// namespace where no ICMP socket can be opened (not root) or no netlink answer comes throws.
    /// </summary>
    public static async Task<IReadOnlyList<EchoOutcome>> RunAsync(NetlinkHandle handle, IReadOnlyList<IPAddress> targets, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count > ushort.MaxValue + 1)
        {
            throw new ArgumentException($"One probe can ping at most {ushort.MaxValue + 1} targets (the echo sequence number has 16 bits); {targets.Count} were asked for.", nameof(targets));
        }

        var routes = new RouteLookup?[targets.Count];
        var routeErrors = new NetlinkException?[targets.Count];
        for (var i = 0; i < targets.Count; i++)
        {
            try
            {
                routes[i] = handle.RouteGet(targets[i]);
            }
            catch (NetlinkException error)
            {
                routeErrors[i] = error;
            }
        }

        var needV4 = targets.Any(t => t.AddressFamily == AddressFamily.InterNetwork);
        var needV6 = targets.Any(t => t.AddressFamily == AddressFamily.InterNetworkV6);

        // A socket belongs to the namespace it was made in for its whole life: make them on a thread inside it, use
        // them from anywhere.
        var (v4, v6) = handle.Namespace.Run(() => (needV4 ? OpenSocket(AddressFamily.InterNetwork) : null, needV6 ? OpenSocket(AddressFamily.InterNetworkV6) : null));
        using var v4Socket = v4;
        using var v6Socket = v6;
        var state = new ProbeState(targets, (ushort)Random.Shared.Next(1, ushort.MaxValue));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receivers = new List<Task>();
        if (v4Socket is not null)
        {
            receivers.Add(ReceiveAsync(v4Socket, state, stop.Token));
        }

        if (v6Socket is not null)
        {
            receivers.Add(ReceiveAsync(v6Socket, state, stop.Token));
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var socket = target.AddressFamily == AddressFamily.InterNetworkV6 ? v6Socket! : v4Socket!;
            var packet = IcmpEcho.Request(target.AddressFamily, state.Identifier, (ushort)i);
            state.MarkSent(i);
            try
            {
                socket.SendTo(packet, new IPEndPoint(target, 0));
            }
            catch (SocketException error)
            {
                state.Fail(i, Explain(error, target.AddressFamily), ErrnoName(error.SocketErrorCode));
            }
        }

        try
        {
            await state.AllAnswered.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The rest did not answer in time: that is their result.
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(receivers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // Read after the wait: the table then shows whether resolution got an answer (REACHABLE) or is still waiting (INCOMPLETE).
        var neighbors = handle.NeighborList();
        var outcomes = new EchoOutcome[targets.Count];
        for (var i = 0; i < targets.Count; i++)
        {
            var route = routes[i];
            var neighbor = route is { Type: RouteType.Unicast, OutputInterfaceIndex: { } output }
                ? neighbors.FirstOrDefault(n => n.InterfaceIndex == output && n.Destination.Equals(route.NextHop))
                : null;
            var (replied, rtt, error, errno) = state.Result(i);
            if (routeErrors[i] is { } routeError)
            {
                error ??= System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(routeError.Errno);
                errno ??= routeError.ErrnoName;
            }

            outcomes[i] = new EchoOutcome(targets[i], replied, rtt, route, neighbor, error, errno);
        }

        return outcomes;
    }

    private static Socket OpenSocket(AddressFamily family)
    {
        var v6 = family == AddressFamily.InterNetworkV6;
        var socket = new Socket(family, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
        try
        {
            // A raw socket gets every ICMP message of the namespace, other probes' echo requests too: let the kernel
            // pass only what answers an echo, so a busy namespace cannot fill the buffer with the rest.
            if (v6)
            {
                socket.SetRawSocketOption((int)ProtocolType.IcmpV6, IcmpV6Filter, BlockAllBut(IcmpEcho.WantedV6, words: 8));
            }
            else
            {
                socket.SetRawSocketOption(SolRaw, IcmpFilter, BlockAllBut(IcmpEcho.WantedV4, words: 1));
            }

            // Without IP_RECVERR a raw socket reports ENOBUFS (the packet was dropped, e.g. because the neighbour
            // table is full) as success, and that echo would look like an unanswered ARP request.
            socket.SetRawSocketOption(v6 ? (int)SocketOptionLevel.IPv6 : (int)SocketOptionLevel.IP, v6 ? Ipv6RecvErr : IpRecvErr, BitConverter.GetBytes(1));

            // SO_RCVBUFFORCE passes the rmem_max cap (root only); a plain SO_RCVBUF is the fallback.
            try
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.Socket, SoRcvBufForce, BitConverter.GetBytes(ReceiveBufferBytes));
            }
            catch (SocketException)
            {
                socket.ReceiveBufferSize = ReceiveBufferBytes;
            }

            // Binding to the wildcard filters nothing; .NET only wants a bound socket before ReceiveFrom.
            socket.Bind(new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An ICMP_FILTER / ICMP6_FILTER bitmap: a set bit blocks that type.</summary>
    private static byte[] BlockAllBut(byte[] wanted, int words)
    {
        var bitmap = new uint[words];
        Array.Fill(bitmap, uint.MaxValue);
        foreach (var type in wanted)
        {
            bitmap[type >> 5] &= ~(1u << (type & 31));
        }

        return bitmap.SelectMany(BitConverter.GetBytes).ToArray();
    }

    private static async Task ReceiveAsync(Socket socket, ProbeState state, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        var v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        EndPoint any = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // A queued error (e.g. EHOSTUNREACH reported on the socket); the echo it concerns times out or has an ICMP error of its own.
                continue;
            }

            var data = buffer.AsSpan(0, received.ReceivedBytes);
            var from = ((IPEndPoint)received.RemoteEndPoint).Address;
            var read = v6 ? IcmpEcho.TryReadV6(data, from, out var answer) : IcmpEcho.TryReadV4(data, out answer);
            if (read && answer.Identifier == state.Identifier)
            {
                state.Answer(answer);
            }
        }
    }

    /// <summary>The send error in words, with the likely cause where the errno alone would puzzle.</summary>
    private static string Explain(SocketException error, AddressFamily family)
    {
        if (error.SocketErrorCode != SocketError.NoBufferSpaceAvailable)
        {
            return error.Message;
        }

        // The kernel's ARP and ND tables are shared by all namespaces and capped by gc_thresh3 (1024 by default): a
        // lab of 50 namespaces pinging each other needs up to 5,000 entries at once. The agent's LabProber probes such a
        // lab in waves to stay below it; a pair that still meets a full table (others filled it meanwhile) lands here.
        var setting = family == AddressFamily.InterNetworkV6 ? "net.ipv6.neigh.default.gc_thresh3" : "net.ipv4.neigh.default.gc_thresh3";
        var path = "/proc/sys/" + setting.Replace('.', '/');
        var current = File.Exists(path) ? $" = {File.ReadAllText(path).Trim()} entries" : "";
        return $"{error.Message}: the kernel's neighbour table is probably full ({setting}{current}, for all namespaces together), so the packet was dropped before ARP/ND; raise it, e.g. `sysctl -w {setting}=8192`";
    }

    /// <summary>Errno names of the send errors a ping can meet; SocketError is .NET's portable view of them.</summary>
    private static string? ErrnoName(SocketError error) => error switch
    {
        SocketError.NetworkUnreachable => Errno.Name(Errno.ENETUNREACH),
        SocketError.HostUnreachable => Errno.Name(Errno.EHOSTUNREACH),
        SocketError.NetworkDown => Errno.Name(Errno.ENETDOWN),
        SocketError.AccessDenied => Errno.Name(Errno.EACCES),
        SocketError.NoBufferSpaceAvailable => Errno.Name(Errno.ENOBUFS),
        SocketError.AddressNotAvailable => Errno.Name(Errno.EADDRNOTAVAIL),
        SocketError.InvalidArgument => Errno.Name(Errno.EINVAL),
        SocketError.MessageSize => Errno.Name(Errno.EMSGSIZE),
        _ => null,
    };

    /// <summary>Per-target send times and answers, written by the sender and the receive loops.</summary>
    private sealed class ProbeState(IReadOnlyList<IPAddress> targets, ushort identifier)
    {
        private readonly object _gate = new();
        private readonly long[] _sentAt = new long[targets.Count];
        private readonly double?[] _rtt = new double?[targets.Count];
        private readonly string?[] _error = new string?[targets.Count];
        private readonly string?[] _errno = new string?[targets.Count];
        private readonly bool[] _settled = new bool[targets.Count];
        private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _open = targets.Count;

        public ushort Identifier { get; } = identifier;

        public Task AllAnswered => targets.Count == 0 ? Task.CompletedTask : _allAnswered.Task;

        public void MarkSent(int index) => Volatile.Write(ref _sentAt[index], Stopwatch.GetTimestamp());

        public void Fail(int index, string error, string? errno)
        {
            lock (_gate)
            {
                _error[index] = error;
                _errno[index] = errno;
                Settle(index);
            }
        }

        public void Answer(EchoAnswer answer)
        {
            var index = answer.Sequence;
            var now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                // An answer must come from the address pinged (a reply) and be about a request we sent.
                if (index >= targets.Count || _settled[index] || _sentAt[index] == 0)
                {
                    return;
                }

                if (answer.Kind == EchoAnswerKind.Reply)
                {
                    if (!answer.From.Equals(targets[index]))
                    {
                        return;
                    }

                    _rtt[index] = Stopwatch.GetElapsedTime(_sentAt[index], now).TotalMilliseconds;
                }
                else
                {
                    _error[index] = answer.Describe();
                }

                Settle(index);
            }
        }

        public (bool Replied, double? Rtt, string? Error, string? Errno) Result(int index)
        {
            lock (_gate)
            {
                return (_rtt[index] is not null, _rtt[index], _error[index], _errno[index]);
            }
        }

        private void Settle(int index)
        {
            _settled[index] = true;
            if (--_open == 0)
            {
                _allAnswered.TrySetResult();
            }
        }
    }
}
