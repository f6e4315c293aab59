using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Events;

/// <summary>
/// Link and address events from any set of namespaces as one async stream: a snapshot of each namespace first,
/// then every change after it. The event socket is bound before the snapshot is dumped and read only after the
/// snapshot is queued, so nothing falls between the two. An overrun becomes <see cref="ResyncNeeded"/> plus a fresh
/// snapshot; a failure of the reader ends the stream with that exception: it never dies silently.
/// </summary>
public sealed unsafe class EventSubscription : IAsyncDisposable, IDisposable
{
    /// <summary>8 MiB: a few hundred events overrun the default ~200 KiB buffer.</summary>
    public const int DefaultReceiveBufferBytes = 8 * 1024 * 1024;

    private const uint Groups = Rtm.RTMGRP_LINK | Rtm.RTMGRP_IPV4_IFADDR | Rtm.RTMGRP_IPV6_IFADDR;

    private readonly Channel<NetlinkEvent> _channel = Channel.CreateUnbounded<NetlinkEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _gate = new();
    private readonly List<Watched> _watched = [];
    private readonly FileDescriptorHandle _wake;
    private readonly Thread _reader;
    private readonly int _receiveBufferBytes;
    private volatile bool _stopping;

    private EventSubscription(int receiveBufferBytes)
    {
        _receiveBufferBytes = receiveBufferBytes;
        var fd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0)
        {
            throw NetlinkSocket.LastError("create the subscription's wake-up eventfd");
        }

        _wake = new FileDescriptorHandle(fd);
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "netlab-events" };
    }

    /// <summary>Starts watching <paramref name="namespaces"/> (null entries mean the host namespace).</summary>
    public static EventSubscription Start(IEnumerable<NetworkNamespace> namespaces, int receiveBufferBytes = DefaultReceiveBufferBytes)
    {
        var subscription = StartPaused(namespaces, receiveBufferBytes);
        subscription.Resume();
        return subscription;
    }

    /// <summary>Binds and snapshots without reading yet: lets tests overrun the kernel's queue on purpose.</summary>
    internal static EventSubscription StartPaused(IEnumerable<NetworkNamespace> namespaces, int receiveBufferBytes)
    {
        var subscription = new EventSubscription(receiveBufferBytes);
        try
        {
            foreach (var ns in namespaces)
            {
                subscription.Add(ns);
            }

            return subscription;
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    internal void Resume() => _reader.Start();

    /// <summary>Namespaces being watched, by name (null for the host).</summary>
    public IReadOnlyList<string?> Namespaces
    {
        get
        {
            lock (_gate)
            {
                return _watched.Select(w => w.Namespace.Name).ToList();
            }
        }
    }

    /// <summary>Watches one more namespace: its snapshot is queued, then its changes follow.</summary>
    public void Add(NetworkNamespace ns)
    {
        var socket = ns.Run(() => NetlinkSocket.Open(Groups, _receiveBufferBytes));
        NetlinkHandle? handle = null;
        try
        {
            handle = NetlinkHandle.For(ns);
            lock (_gate)
            {
                if (_watched.Any(w => w.Namespace.Name == ns.Name))
                {
                    throw new InvalidOperationException($"Namespace {ns} is already watched by this subscription.");
                }

                var watched = new Watched(ns, socket, handle);
                QueueSnapshot(watched, isResync: false);
                _watched.Add(watched);
            }
        }
        catch
        {
            socket.Dispose();
            handle?.Dispose();
            throw;
        }

        Wake();
    }

    /// <summary>Stops watching a namespace (e.g. before the lab deletes it).</summary>
    public bool Remove(string? namespaceName)
    {
        lock (_gate)
        {
            var watched = _watched.FirstOrDefault(w => w.Namespace.Name == namespaceName);
            if (watched is null)
            {
                return false;
            }

            _watched.Remove(watched);
            watched.Dispose();
        }

        Wake();
        return true;
    }

    public async IAsyncEnumerable<NetlinkEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    public ChannelReader<NetlinkEvent> Reader => _channel.Reader;

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (_reader.IsAlive)
        {
            _reader.Join();
        }

        lock (_gate)
        {
            foreach (var watched in _watched)
            {
                watched.Dispose();
            }

            _watched.Clear();
        }

        _wake.Dispose();
        _channel.Writer.TryComplete();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void ReadLoop()
    {
        try
        {
            while (!_stopping)
            {
                Watched[] watched;
                lock (_gate)
                {
                    watched = [.. _watched];
                }

                var pollSet = new LibC.PollFd[watched.Length + 1];
                fixed (LibC.PollFd* fds = pollSet)
                {
                    fds[0] = new LibC.PollFd { Fd = _wake.Fd, Events = LibC.POLLIN };
                    for (var i = 0; i < watched.Length; i++)
                    {
                        fds[i + 1] = new LibC.PollFd { Fd = watched[i].Socket.Fd, Events = LibC.POLLIN };
                    }

                    var ready = LibC.Poll(fds, (nuint)pollSet.Length, -1);
                    if (ready < 0)
                    {
                        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                        if (errno == Errno.EINTR)
                        {
                            continue;
                        }

                        throw new NetlinkException(errno, "wait for kernel events (poll)");
                    }

                    if (fds[0].Revents != 0)
                    {
                        DrainWake();
                    }

                    lock (_gate)
                    {
                        for (var i = 0; i < watched.Length; i++)
                        {
                            // Skip namespaces removed while we were waiting.
                            if (fds[i + 1].Revents != 0 && _watched.Contains(watched[i]))
                            {
                                Drain(watched[i]);
                            }
                        }
                    }
                }
            }
        }
        catch (Exception exception)
        {
            _channel.Writer.TryComplete(exception);
            return;
        }

        _channel.Writer.TryComplete();
    }

    private void Drain(Watched watched)
    {
        while (true)
        {
            var result = watched.Socket.ReceiveNonBlocking(out var datagram);
            if (result == 0)
            {
                return;
            }

            if (result == -Errno.ENOBUFS)
            {
                _channel.Writer.TryWrite(new ResyncNeeded(watched.Namespace.Name, DateTimeOffset.UtcNow, "the kernel's event queue overran (ENOBUFS); events were lost"));
                QueueSnapshot(watched, isResync: true);
                continue;
            }

            if (result < 0)
            {
                throw new NetlinkException(-result, $"receive kernel events in {watched.Namespace}");
            }

            var at = DateTimeOffset.UtcNow;
            foreach (var message in new MessageEnumerator(datagram))
            {
                NetlinkEvent? item = message.Type switch
                {
                    Rtm.RTM_NEWLINK => new LinkChanged(watched.Namespace.Name, at, LinkMessages.Parse(message.Payload)),
                    Rtm.RTM_DELLINK => new LinkRemoved(watched.Namespace.Name, at, LinkMessages.Parse(message.Payload)),
                    Rtm.RTM_NEWADDR => new AddressAdded(watched.Namespace.Name, at, AddressMessages.Parse(message.Payload)),
                    Rtm.RTM_DELADDR => new AddressRemoved(watched.Namespace.Name, at, AddressMessages.Parse(message.Payload)),
                    _ => null,
                };
                if (item is not null)
                {
                    _channel.Writer.TryWrite(item);
                }
            }
        }
    }

    private void QueueSnapshot(Watched watched, bool isResync)
    {
        var links = watched.Handle.LinkList();
        var addresses = watched.Handle.AddressList();
        _channel.Writer.TryWrite(new NamespaceSnapshot(watched.Namespace.Name, DateTimeOffset.UtcNow, links, addresses, isResync));
    }

    private void Wake()
    {
        ulong one = 1;
        LibC.Write(_wake.Fd, (byte*)&one, sizeof(ulong));
    }

    private void DrainWake()
    {
        ulong value;
        _ = LibC.Read(_wake.Fd, (byte*)&value, sizeof(ulong));
    }

    private sealed class Watched(NetworkNamespace ns, NetlinkSocket socket, NetlinkHandle handle) : IDisposable
    {
        public NetworkNamespace Namespace { get; } = ns;

        public NetlinkSocket Socket { get; } = socket;

        public NetlinkHandle Handle { get; } = handle;

        public void Dispose()
        {
            Socket.Dispose();
            Handle.Dispose();
        }
    }
}
