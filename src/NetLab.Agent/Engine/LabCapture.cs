using System.Globalization;
using System.Runtime.CompilerServices;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink.Capture;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>A lab, element or interface a request named does not exist; the message lists what does.</summary>
public sealed class LabObjectNotFoundException(string message) : Exception(message);

/// <summary>
/// A packet capture on one interface of a lab: the target is checked against what the kernel holds for that lab
/// (so only the lab's own namespaces can be captured), the socket is bound inside the element's namespace, and
/// frames stream until the caller cancels or the requested count is reached.
/// </summary>
public static class LabCapture
{
    /// <summary>
    /// Opens the capture's socket, bound to the interface inside the namespace: traffic from then on is seen. The engine
    /// calls it under the lab's read, after <see cref="Resolve"/>.
    /// </summary>
    internal static PacketCapture Open(string kernelNamespace, CaptureRequest request)
    {
        using var networkNamespace = NetworkNamespace.Open(kernelNamespace);
        return PacketCapture.Open(networkNamespace, request.Interface, request.SnapLength);
    }

    /// <summary>
    /// Started (the socket is bound already), then the frames, at most <paramref name="queuedFrames"/> of them waiting
    /// for a slow consumer, until cancelled, the capture is closed, or <see cref="CaptureRequest.MaxFrames"/> are seen.
    /// </summary>
    internal static async IAsyncEnumerable<CaptureStreamItem> StreamAsync(
        PacketCapture capture,
        CaptureRequest request,
        int queuedFrames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new CaptureStreamItem(Started: request);
        long number = 0;
        await foreach (var packet in capture.ReadAllAsync(queuedFrames, cancellationToken).ConfigureAwait(false))
        {
            number++;
            yield return new CaptureStreamItem(Frame: new CapturedFrame(number, packet.At, packet.OriginalLength, packet.Data, packet.Outgoing));
            if (number == request.MaxFrames)
            {
                var statistics = capture.Statistics();
                yield return new CaptureStreamItem(Ended: string.Create(CultureInfo.InvariantCulture, $"{number} frames captured, as requested; the kernel dropped {statistics.Dropped}."));
                yield break;
            }
        }
    }

    /// <summary>
    /// How many frames a capture of this snap length may queue for a client that reads slower than they arrive, so that
    /// the queue holds at most <paramref name="queueBytes"/> (a frame takes at most its snap length and a VLAN tag put
    /// back): 1023 frames of 65535 bytes in 64 MiB, 255 of 262144. Never fewer than one, never more than
    /// <see cref="PacketCapture.MaxQueuedFrames"/>. Beyond it the kernel's socket buffer fills and the kernel counts drops.
    /// </summary>
    public static int QueuedFrames(int snapLength, long queueBytes) =>
        (int)Math.Clamp(queueBytes / (snapLength + PacketCapture.VlanTagLength), 1, PacketCapture.MaxQueuedFrames);

    /// <summary>
    /// The kernel namespace of the request's element, after checking the request and that the interface exists there
    /// (<see cref="ArgumentException"/> for a bad request, <see cref="LabObjectNotFoundException"/> naming what exists).
    /// </summary>
    public static string Resolve(LabState? lab, string labName, CaptureRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Element) || string.IsNullOrWhiteSpace(request.Interface))
        {
            throw new ArgumentException("A capture names the lab element and its interface: send {\"element\": \"h1\", \"interface\": \"eth0\"}.");
        }

        if (request.SnapLength is < 1 or > PacketCapture.MaxSnapLength)
        {
            throw new ArgumentException($"The snap length must be between 1 and {PacketCapture.MaxSnapLength} bytes; {request.SnapLength} is not. Leave it out for whole frames.");
        }

        if (request.MaxFrames is < 1)
        {
            throw new ArgumentException($"maxFrames must be at least 1 (or left out to capture until stopped); {request.MaxFrames} is not.");
        }

        if (lab is null)
        {
            throw new LabObjectNotFoundException($"The kernel holds no lab named '{labName}'. Apply it first (`netlab apply FILE`), or list the labs there are with `netlab state`.");
        }

        var element = lab.Namespaces.FirstOrDefault(n => n.Element == request.Element)
            ?? throw new LabObjectNotFoundException($"Lab '{labName}' has no element '{request.Element}'. Its elements are: {string.Join(", ", lab.Namespaces.Select(n => n.Element))}.");
        if (!element.Interfaces.Any(i => i.Name == request.Interface))
        {
            throw new LabObjectNotFoundException($"Element '{request.Element}' of lab '{labName}' has no interface '{request.Interface}'. Its interfaces are: {string.Join(", ", element.Interfaces.Select(i => i.Name))}.");
        }

        return element.KernelName;
    }
}

/// <summary>
/// A running capture as a holder of its namespace (its packet socket keeps the namespace alive): a destroy, or an apply
/// that removes the element, closes it before deleting the namespace, and the capture then ends with a line saying so.
/// Closed once, by whichever comes first: the writer letting go, or the capture's own end.
/// </summary>
internal sealed class CaptureHolder(string kernelNamespace, PacketCapture capture) : INamespaceHolder
{
    private readonly object _gate = new();
    private bool _closed;

    public string KernelNamespace { get; } = kernelNamespace;

    public PacketCapture Capture { get; } = capture;

    /// <summary>Whether a writer closed the capture to delete its namespace.</summary>
    public bool WasLetGo { get; private set; }

    public void LetGo(IReadOnlySet<string> kernelNames)
    {
        if (!kernelNames.Contains(KernelNamespace))
        {
            return;
        }

        // Closing stops the reading thread (its queue then ends the stream) and closes the socket before returning, so the
        // namespace is free when the writer deletes it, whatever its client is doing.
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            WasLetGo = true;
            _closed = true;
            Capture.Dispose();
        }
    }

    /// <summary>Closes the capture if a writer has not.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Capture.Dispose();
        }
    }
}
