using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Namespaces;

namespace NetLab.Netlink.Capture;

/// <summary>A frame as the capture socket saw it.</summary>
/// <param name="At">The kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME).</param>
/// <param name="Data">The captured bytes (at most the snap length), with an offloaded VLAN tag put back.</param>
/// <param name="OriginalLength">The frame's whole length, tag included.</param>
/// <param name="Outgoing">The interface sent it (PACKET_OUTGOING) rather than received it.</param>
public sealed record CapturedPacket(DateTimeOffset At, byte[] Data, int OriginalLength, bool Outgoing);

/// <summary>What the kernel counted for a capture socket: frames it queued, and frames it dropped because the reader was behind.</summary>
public sealed record CaptureStatistics(long Received, long Dropped);

/// <summary>
/// An AF_PACKET socket on one interface of a network namespace, as tcpdump -i IF opens it: ETH_P_ALL, both directions,
/// kernel timestamps, and PACKET_AUXDATA so that a VLAN tag the driver or the kernel moved out of the frame
/// (tp_vlan_tci/tp_vlan_tpid) is put back in exactly where libpcap puts it. The socket is made on a thread inside
/// the namespace (a socket stays in the namespace it was made in), so it can be read from any thread afterwards.
/// Reading blocks in poll(2) on the socket and an eventfd; <see cref="Stop"/> or cancelling the reader wakes it,
/// and <see cref="Dispose"/> waits for the reading thread before closing the descriptors.
/// </summary>
public sealed unsafe class PacketCapture : IDisposable
{
    public const int MaxSnapLength = 262144;
    /// <summary>What a frame may grow by beyond the snap length: an offloaded VLAN tag put back.</summary>
    public const int VlanTagLength = 4;
    private const int MacAddressesLength = 12;
    private const int ReceiveBufferBytes = 4 * 1024 * 1024;

    /// <summary>The most frames a capture queues for a consumer that falls behind (the kernel's buffer comes after).</summary>
    public const int MaxQueuedFrames = 4096;

    /// <summary>
    /// How often a quiet capture checks that its interface still exists: the kernel reports only ENETDOWN when one
    /// is deleted (then silently unbinds the socket), so a removal is seen by looking, not by being told.
    /// </summary>
    private const int LivenessCheckMilliseconds = 1000;

    private readonly FileDescriptorHandle _socket;
    private readonly FileDescriptorHandle _stop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _buffer;
    private readonly byte[] _control = new byte[256];
    private long _received;
    private long _dropped;
    private int _reading;
    private Thread? _reader;

    private PacketCapture(FileDescriptorHandle socket, FileDescriptorHandle stop, int interfaceIndex, string interfaceName, int snapLength)
    {
        _socket = socket;
        _stop = stop;
        InterfaceIndex = interfaceIndex;
        InterfaceName = interfaceName;
        SnapLength = snapLength;
        _buffer = new byte[snapLength + VlanTagLength];
    }

    public int InterfaceIndex { get; }

    public string InterfaceName { get; }

    public int SnapLength { get; }

    /// <summary>
    /// Opens a capture on <paramref name="interfaceName"/> inside <paramref name="networkNamespace"/> (null: the
    /// caller's namespace). Traffic from the moment this returns is seen.
    /// </summary>
    public static PacketCapture Open(NetworkNamespace? networkNamespace, string interfaceName, int snapLength = 65535)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        if (snapLength is < 1 or > MaxSnapLength)
        {
            throw new ArgumentOutOfRangeException(nameof(snapLength), snapLength, $"The snap length must be between 1 and {MaxSnapLength} bytes (tcpdump's -s range); {snapLength} is not.");
        }

        var where = networkNamespace?.DisplayName ?? "this namespace";
        var (socket, index) = networkNamespace is null ? OpenSocket(interfaceName, where) : networkNamespace.Run(() => OpenSocket(interfaceName, where));
        var stop = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (stop < 0)
        {
            var error = NetlinkSocket.LastError("create the capture's stop eventfd");
            socket.Dispose();
            throw error;
        }

        return new PacketCapture(socket, new FileDescriptorHandle(stop), index, interfaceName, snapLength);
    }

    /// <summary>
    /// The next frame, blocking until one arrives; null once <see cref="Stop"/> was called. One reader at a time.
    /// </summary>
    public CapturedPacket? Receive()
    {
        var added = false;
        _socket.DangerousAddRef(ref added);
        try
        {
            var fds = stackalloc LibC.PollFd[2];
            while (!_stopping.IsCancellationRequested)
            {
                fds[0] = new LibC.PollFd { Fd = _socket.Fd, Events = LibC.POLLIN };
                fds[1] = new LibC.PollFd { Fd = _stop.Fd, Events = LibC.POLLIN };
                var ready = LibC.Poll(fds, 2, LivenessCheckMilliseconds);
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                    {
                        continue;
                    }

                    throw NetlinkSocket.LastError($"wait for frames on {InterfaceName}");
                }

                if (ready == 0)
                {
                    ThrowIfUnbound();
                    continue;
                }

                if (fds[1].Revents != 0)
                {
                    return null;
                }

                if (fds[0].Revents != 0 && ReceiveOne() is { } packet)
                {
                    return packet;
                }
            }

            return null;
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Every frame until <paramref name="cancellationToken"/> or <see cref="Stop"/>. A dedicated thread reads the socket
    /// (a capture may last hours: no pool thread is held); frames wait in a bounded queue, and when the consumer falls
    /// behind the kernel's socket buffer fills and the kernel counts drops (<see cref="Statistics"/>), as with tcpdump.
    /// </summary>
    public IAsyncEnumerable<CapturedPacket> ReadAllAsync(CancellationToken cancellationToken = default) => ReadAllAsync(MaxQueuedFrames, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAllAsync(CancellationToken)"/>, with at most <paramref name="queuedFrames"/> frames waiting for
    /// the consumer (1 to <see cref="MaxQueuedFrames"/>): a caller that bounds the queue in bytes passes its budget
    /// divided by the snap length.
    /// </summary>
    public async IAsyncEnumerable<CapturedPacket> ReadAllAsync(int queuedFrames, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queuedFrames, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queuedFrames, MaxQueuedFrames);
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("A capture has one reader; this one is being read already.");
        }

        var channel = Channel.CreateBounded<CapturedPacket>(new BoundedChannelOptions(queuedFrames) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var reader = new Thread(() => Pump(channel.Writer)) { IsBackground = true, Name = $"nlcap-{InterfaceName}" };
        _reader = reader;
        using var registration = cancellationToken.Register(Stop);
        reader.Start();
        try
        {
            await foreach (var packet in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return packet;
            }
        }
        finally
        {
            Stop();
            reader.Join();
        }
    }

    /// <summary>Ends the capture: a blocked <see cref="Receive"/> returns null, <see cref="ReadAllAsync(int, CancellationToken)"/> ends.</summary>
    public void Stop()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        var added = false;
        _stop.DangerousAddRef(ref added);
        try
        {
            ulong one = 1;
            _ = LibC.Write(_stop.Fd, (byte*)&one, sizeof(ulong));
        }
        finally
        {
            if (added)
            {
                _stop.DangerousRelease();
            }
        }
    }

    /// <summary>What the kernel counted since the capture was opened (PACKET_STATISTICS).</summary>
    public CaptureStatistics Statistics()
    {
        LibC.TpacketStats stats;
        var length = sizeof(LibC.TpacketStats);
        var added = false;
        _socket.DangerousAddRef(ref added);
        try
        {
            // The kernel resets its counters on every read: keep the running totals here.
            if (LibC.GetSockOpt(_socket.Fd, LibC.SOL_PACKET, LibC.PACKET_STATISTICS, &stats, ref length) == 0)
            {
                Interlocked.Add(ref _received, stats.Packets);
                Interlocked.Add(ref _dropped, stats.Drops);
            }
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }

        return new CaptureStatistics(Interlocked.Read(ref _received), Interlocked.Read(ref _dropped));
    }

    public void Dispose()
    {
        Stop();
        if (_reader is { } reader && reader != Thread.CurrentThread)
        {
            reader.Join();
        }

        _socket.Dispose();
        _stop.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Puts an offloaded tag back after the two MAC addresses, as libpcap does: the TPID is the kernel's when it says
    /// it is valid, else 802.1Q. <paramref name="length"/> is the bytes in the buffer; returns the new length.
    /// </summary>
    internal static int InsertVlanTag(Span<byte> buffer, int length, ushort tpid, ushort tci)
    {
        if (length < MacAddressesLength || buffer.Length < length + VlanTagLength)
        {
            return length;
        }

        buffer[MacAddressesLength..length].CopyTo(buffer[(MacAddressesLength + VlanTagLength)..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[MacAddressesLength..], tpid);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(MacAddressesLength + 2)..], tci);
        return length + VlanTagLength;
    }

    private static (FileDescriptorHandle Socket, int Index) OpenSocket(string interfaceName, string where)
    {
        // Protocol 0 receives nothing until bind: no frame of another interface can slip in before the socket is bound to ours.
        var fd = LibC.Socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw NetlinkSocket.LastError("open a packet socket (AF_PACKET needs CAP_NET_RAW)");
        }

        var socket = new FileDescriptorHandle(fd);
        try
        {
            var index = (int)LibC.IfNameToIndex(interfaceName);
            if (index == 0)
            {
                throw new NetlinkException(Errno.ENODEV, $"find interface '{interfaceName}' in {where}", explanation: $"there is no interface '{interfaceName}' there; list them with `ip -n {where} link`");
            }

            SetOption(fd, LibC.SOL_PACKET, LibC.PACKET_AUXDATA, 1, "ask for packet aux data (VLAN tags)");
            SetOption(fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPNS, 1, "ask for kernel timestamps");
            var buffer = ReceiveBufferBytes;
            if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &buffer, sizeof(int)) != 0)
            {
                SetOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, ReceiveBufferBytes, "size the capture's receive buffer");
            }

            var address = new LibC.SockaddrLl
            {
                Family = LibC.AF_PACKET,
                Protocol = BinaryPrimitives.ReverseEndianness(LibC.ETH_P_ALL),
                InterfaceIndex = index,
            };
            if (LibC.BindPacket(fd, address, sizeof(LibC.SockaddrLl)) != 0)
            {
                throw NetlinkSocket.LastError($"bind the packet socket to '{interfaceName}' (ifindex {index}) in {where}");
            }

            return (socket, index);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void SetOption(int fd, int level, int option, int value, string what)
    {
        if (LibC.SetSockOpt(fd, level, option, &value, sizeof(int)) != 0)
        {
            throw NetlinkSocket.LastError(what);
        }
    }

    private void Pump(ChannelWriter<CapturedPacket> writer)
    {
        try
        {
            while (Receive() is { } packet)
            {
                while (!writer.TryWrite(packet))
                {
                    if (!writer.WaitToWriteAsync(_stopping.Token).AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }
                }
            }

            writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            writer.TryComplete();
        }
        catch (Exception error)
        {
            writer.TryComplete(error);
        }
    }

    /// <summary>The kernel sets a packet socket's ifindex to -1 when its interface is unregistered.</summary>
    private void ThrowIfUnbound()
    {
        var length = sizeof(LibC.SockaddrLl);
        if (LibC.GetSockNamePacket(_socket.Fd, out var bound, ref length) == 0 && bound.InterfaceIndex != InterfaceIndex)
        {
            throw new NetlinkException(Errno.ENODEV, $"read a frame from {InterfaceName}", explanation: $"the interface {InterfaceName} was removed (the lab was destroyed or changed), which ends its capture");
        }
    }

    /// <summary>One recvmsg; null when the socket had nothing after all (EAGAIN) or the call was interrupted.</summary>
    private CapturedPacket? ReceiveOne()
    {
        LibC.SockaddrLl from;
        fixed (byte* data = _buffer)
        fixed (byte* control = _control)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)SnapLength };
            var message = new LibC.MsgHdr
            {
                Name = &from,
                NameLength = (uint)sizeof(LibC.SockaddrLl),
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = (nuint)_control.Length,
            };

            // MSG_TRUNC: a packet socket then returns the frame's real length even when the buffer held less.
            var result = LibC.RecvMsg(_socket.Fd, &message, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
            if (result < 0)
            {
                var errno = Marshal.GetLastPInvokeError();

                // ENETDOWN is a one-shot report that the interface is (or went) down, raised at bind too: a capture
                // started before the lab brings the link up must go on and see its first frames, as tcpdump's does.
                if (errno is Errno.EAGAIN or Errno.EINTR or Errno.ENETDOWN)
                {
                    return null;
                }

                throw new NetlinkException(errno, $"read a frame from {InterfaceName}");
            }

            var original = (int)result;
            var length = Math.Min(original, SnapLength);
            var at = DateTimeOffset.UtcNow;
            LibC.TpacketAuxdata? aux = null;
            for (var header = FirstHeader(&message); header is not null; header = NextHeader(&message, header))
            {
                var payload = (byte*)header + CmsgHeaderLength;
                if (header->Level == LibC.SOL_PACKET && header->Type == LibC.PACKET_AUXDATA && (int)header->Length >= CmsgHeaderLength + sizeof(LibC.TpacketAuxdata))
                {
                    aux = Unsafe.ReadUnaligned<LibC.TpacketAuxdata>(payload);
                }
                else if (header->Level == LibC.SOL_SOCKET && header->Type == LibC.SCM_TIMESTAMPNS && (int)header->Length >= CmsgHeaderLength + sizeof(LibC.TimeSpec))
                {
                    var time = Unsafe.ReadUnaligned<LibC.TimeSpec>(payload);
                    at = DateTimeOffset.UnixEpoch.AddTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
                }
            }

            // libpcap's rule: a tag is there when the TCI is non-zero or the kernel says it is valid (a TCI of 0 is priority-0 VLAN 0).
            if (aux is { } auxdata && (auxdata.VlanTci != 0 || (auxdata.Status & LibC.TP_STATUS_VLAN_VALID) != 0))
            {
                var tpid = (auxdata.Status & LibC.TP_STATUS_VLAN_TPID_VALID) != 0 ? auxdata.VlanTpid : LibC.ETH_P_8021Q;
                length = Math.Min(InsertVlanTag(_buffer, length, tpid, auxdata.VlanTci), SnapLength);
                original += VlanTagLength;
            }

            Interlocked.Increment(ref _received);
            return new CapturedPacket(at, _buffer.AsSpan(0, length).ToArray(), original, from.PacketType == LibC.PACKET_OUTGOING);
        }
    }

    private static readonly int CmsgHeaderLength = Align(sizeof(LibC.CmsgHdr));

    private static int Align(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    private static LibC.CmsgHdr* FirstHeader(LibC.MsgHdr* message) =>
        (int)message->ControlLength >= sizeof(LibC.CmsgHdr) ? (LibC.CmsgHdr*)message->Control : null;

    private static LibC.CmsgHdr* NextHeader(LibC.MsgHdr* message, LibC.CmsgHdr* header)
    {
        if ((int)header->Length < sizeof(LibC.CmsgHdr))
        {
            return null;
        }

        var next = (byte*)header + Align((int)header->Length);
        var end = (byte*)message->Control + (int)message->ControlLength;
        return next + sizeof(LibC.CmsgHdr) > end ? null : (LibC.CmsgHdr*)next;
    }
}
