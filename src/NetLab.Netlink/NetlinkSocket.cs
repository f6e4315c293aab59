using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket: request/acknowledge and dumps for a request socket, or group membership for an event socket.
/// The socket lives in the network namespace of the thread that created it, for its whole life.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;
    private const int DumpRetries = 10;

    private readonly FileDescriptorHandle _handle;
    private readonly object _gate = new();
    private byte[] _receiveBuffer = new byte[InitialBufferSize];
    private uint _sequence;

    private NetlinkSocket(FileDescriptorHandle handle, uint portId)
    {
        _handle = handle;
        PortId = portId;
        _sequence = (uint)Environment.TickCount;
    }

    public uint PortId { get; }

    public int Fd => _handle.Fd;

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open(uint groups = 0, int receiveBufferBytes = 0)
    {
        var fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        if (fd < 0)
        {
            throw LastError("open a NETLINK_ROUTE socket");
        }

        var handle = new FileDescriptorHandle(fd);
        try
        {
            SetOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1, "enable extended acks");
            SetOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1, "cap acks");
            if (groups == 0)
            {
                SetOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_GET_STRICT_CHK, 1, "enable strict dump checking");
                SetOption(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, 32768, "size the send buffer");
                SetOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 1024 * 1024, "size the receive buffer");
                var timeout = new LibC.TimeVal { Seconds = 30 };
                if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &timeout, sizeof(LibC.TimeVal)) != 0)
                {
                    throw LastError("set the receive timeout");
                }
            }

            if (receiveBufferBytes > 0)
            {
                // SO_RCVBUFFORCE passes rmem_max (root only); fall back to the capped SO_RCVBUF.
                if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &receiveBufferBytes, sizeof(int)) != 0)
                {
                    SetOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, receiveBufferBytes, "size the event receive buffer");
                }
            }

            var address = new LibC.SockaddrNl { Family = LibC.AF_NETLINK, Groups = groups };
            if (LibC.Bind(fd, address, sizeof(LibC.SockaddrNl)) != 0)
            {
                throw LastError("bind the netlink socket");
            }

            var length = sizeof(LibC.SockaddrNl);
            if (LibC.GetSockName(fd, out var bound, ref length) != 0)
            {
                throw LastError("read the netlink port id");
            }

            return new NetlinkSocket(handle, bound.PortId);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request and waits for its acknowledgement; throws <see cref="NetlinkException"/> on a kernel error.</summary>
    public void Execute(MessageWriter request, string operation)
    {
        lock (_gate)
        {
            var sequence = Send(request, operation);
            ReceiveUntilDone(sequence, operation, onMessage: null);
        }
    }

    /// <summary>Runs a dump and hands every reply message's type and payload to <paramref name="onMessage"/>; a dump the kernel marks interrupted is run again.</summary>
    public void Dump(Func<MessageWriter> request, string operation, ReplyHandler onMessage)
    {
        lock (_gate)
        {
            for (var attempt = 0; ; attempt++)
            {
                var sequence = Send(request(), operation);
                var replies = new List<(ushort Type, byte[] Payload)>();
                var interrupted = ReceiveUntilDone(sequence, operation, (type, payload) => replies.Add((type, payload.ToArray())));
                if (!interrupted)
                {
                    foreach (var (type, payload) in replies)
                    {
                        onMessage(type, payload);
                    }

                    return;
                }

                if (attempt == DumpRetries)
                {
                    throw new NetlinkException(Interop.Errno.EINTR, operation, null, $"the dump was interrupted by concurrent changes {DumpRetries + 1} times in a row");
                }
            }
        }
    }

    public delegate void ReplyHandler(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>Receives one datagram without blocking; returns its length, 0 when none is waiting, or -errno.</summary>
    public int ReceiveNonBlocking(out ReadOnlySpan<byte> datagram)
    {
        datagram = default;
        var length = Receive(LibC.MSG_DONTWAIT);
        if (length < 0)
        {
            var errno = -length;
            return errno == Interop.Errno.EAGAIN ? 0 : length;
        }

        datagram = _receiveBuffer.AsSpan(0, length);
        return length;
    }

    public void Dispose() => _handle.Dispose();

    private uint Send(MessageWriter request, string operation)
    {
        var sequence = ++_sequence;
        var bytes = request.Finish(sequence, PortId);
        var kernel = new LibC.SockaddrNl { Family = LibC.AF_NETLINK };
        fixed (byte* pointer = bytes)
        {
            nint sent;
            do
            {
                sent = LibC.SendTo(_handle.Fd, pointer, bytes.Length, 0, kernel, sizeof(LibC.SockaddrNl));
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == Interop.Errno.EINTR);

            if (sent < 0)
            {
                throw LastError(operation);
            }
        }

        return sequence;
    }

    /// <summary>Reads replies to <paramref name="sequence"/> until the ACK or NLMSG_DONE; returns true if NLM_F_DUMP_INTR was seen.</summary>
    private bool ReceiveUntilDone(uint sequence, string operation, ReplyHandler? onMessage)
    {
        var interrupted = false;
        while (true)
        {
            var length = Receive(0);
            if (length < 0)
            {
                throw new NetlinkException(-length, operation, null, -length == Interop.Errno.EAGAIN ? "the kernel did not answer within 30 s" : null);
            }

            foreach (var message in new MessageEnumerator(_receiveBuffer.AsSpan(0, length)))
            {
                // Replies to an earlier request that timed out, or messages for another port, are not ours.
                if (message.Sequence != sequence || (message.PortId != PortId && message.PortId != 0))
                {
                    continue;
                }

                if ((message.Flags & Nl.NLM_F_DUMP_INTR) != 0)
                {
                    interrupted = true;
                }

                switch (message.Type)
                {
                    case Nl.NLMSG_ERROR:
                        ThrowIfError(message, operation);
                        return interrupted;
                    case Nl.NLMSG_DONE:
                        ThrowIfDoneWithError(message, operation);
                        return interrupted;
                    case Nl.NLMSG_NOOP:
                        continue;
                    default:
                        onMessage?.Invoke(message.Type, message.Payload);
                        if ((message.Flags & Nl.NLM_F_MULTI) == 0)
                        {
                            return interrupted;
                        }

                        break;
                }
            }
        }
    }

    private static void ThrowIfError(NetlinkMessage message, string operation)
    {
        var payload = message.Payload;
        if (payload.Length < 4)
        {
            throw new NetlinkParseException("an error reply shorter than its errno");
        }

        var error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (error == 0)
        {
            return;
        }

        throw new NetlinkException(-error, operation, ExtendedAckMessage(message));
    }

    private static void ThrowIfDoneWithError(NetlinkMessage message, string operation)
    {
        if (message.Payload.Length >= 4)
        {
            var error = BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
            if (error < 0)
            {
                throw new NetlinkException(-error, operation);
            }
        }
    }

    /// <summary>Finds NLMSGERR_ATTR_MSG behind the errno and the (possibly capped) copy of our request.</summary>
    internal static string? ExtendedAckMessage(NetlinkMessage message)
    {
        if ((message.Flags & Nl.NLM_F_ACK_TLVS) == 0 || message.Payload.Length < 4 + Nl.HeaderLength)
        {
            return null;
        }

        // Bound the echoed length before aligning it: near 2^31, Nl.Align overflows into a negative offset.
        var originalLength = BinaryPrimitives.ReadUInt32LittleEndian(message.Payload[4..]);
        var echoed = (message.Flags & Nl.NLM_F_CAPPED) != 0 ? Nl.HeaderLength : originalLength;
        if (echoed < Nl.HeaderLength || echoed > (uint)(message.Payload.Length - 4))
        {
            return null;
        }

        var offset = 4 + Nl.Align((int)echoed);
        if (offset > message.Payload.Length)
        {
            return null;
        }

        foreach (var attribute in new AttributeEnumerator(message.Payload[offset..]))
        {
            if (attribute.Type == Nl.NLMSGERR_ATTR_MSG)
            {
                return attribute.String();
            }
        }

        return null;
    }

    /// <summary>Receives one datagram into the buffer, first peeking at its size so that nothing is truncated.</summary>
    private int Receive(int flags)
    {
        while (true)
        {
            nint size;
            fixed (byte* pointer = _receiveBuffer)
            {
                size = LibC.Recv(_handle.Fd, pointer, 0, LibC.MSG_PEEK | LibC.MSG_TRUNC | flags);
            }

            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Errno.EINTR)
                {
                    continue;
                }

                return -errno;
            }

            if (size > _receiveBuffer.Length)
            {
                _receiveBuffer = new byte[Math.Max((int)size, _receiveBuffer.Length * 2)];
            }

            fixed (byte* pointer = _receiveBuffer)
            {
                size = LibC.Recv(_handle.Fd, pointer, _receiveBuffer.Length, flags);
            }

            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Errno.EINTR)
                {
                    continue;
                }

                return -errno;
            }

            return (int)size;
        }
    }

    private static void SetOption(int fd, int level, int option, int value, string what)
    {
        if (LibC.SetSockOpt(fd, level, option, &value, sizeof(int)) != 0)
        {
            throw LastError(what);
        }
    }

    internal static NetlinkException LastError(string operation) => new(Marshal.GetLastPInvokeError(), operation);
}
