using NetLab.Agent.Client.Contracts;
using NetLab.Core.Packets;
using NetLab.Web.Agent;

namespace NetLab.Web.Model.Captures;

/// <summary>Where a capture is in its life.</summary>
public enum CaptureStatus
{
    /// <summary>Asked of the agent; its socket is not bound yet.</summary>
    Starting,

    /// <summary>The agent's socket is bound: traffic from now on is seen.</summary>
    Running,

    /// <summary>Stopped by the user, or ended by the agent (frame count reached).</summary>
    Stopped,

    /// <summary>Could not start, or broke; <see cref="LiveCapture.Problem"/> says why.</summary>
    Failed,
}

/// <summary>A frame as the web keeps it: the agent's frame and its decoded summary (decoded once, on arrival).</summary>
public sealed record CaptureFrameView(CapturedFrame Frame, FrameSummary Summary);

/// <summary>
/// One capture in the web process: its target, its status, and its frames in memory, for the live list and the pcap
/// download. Frames arrive on the capture's reading task; readers take immutable snapshots without locking.
/// This is the seam for recording: <see cref="FrameAdded"/> and <see cref="StatusChanged"/> fire for every frame and
/// status change (on the reading task, in order), and <see cref="Frames"/> holds what came before a subscriber joined;
/// a run recorder subscribes through <see cref="CaptureService.CaptureStarted"/>.
/// </summary>
public sealed class LiveCapture
{
    /// <summary>A long capture must not exhaust the web process: beyond this many bytes the oldest frames are let go.</summary>
    public const long DefaultMaxStoredBytes = 64L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly long _maxStoredBytes;
    private readonly Queue<CaptureFrameView> _frames = new();
    private long _storedBytes;
    private CancellationTokenSource? _stopping;
    private bool _stopRequested;

    public LiveCapture(string lab, CaptureRequest request, DateTimeOffset requestedAt, long maxStoredBytes = DefaultMaxStoredBytes)
    {
        Lab = lab;
        Request = request;
        RequestedAt = requestedAt;
        _maxStoredBytes = maxStoredBytes;
    }

    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>The lab's name in the kernel.</summary>
    public string Lab { get; }

    /// <summary>The account that started it: only it lists and downloads the capture.</summary>
    public long OwnerId { get; init; }

    public CaptureRequest Request { get; }

    public DateTimeOffset RequestedAt { get; }

    public CaptureStatus Status { get; private set; } = CaptureStatus.Starting;

    /// <summary>Why the capture failed, or how the agent ended it.</summary>
    public string? Problem { get; private set; }

    /// <summary>Frames received in all, including any let go from memory.</summary>
    public long Count { get; private set; }

    /// <summary>Frames let go from memory (the oldest) because the capture outgrew <see cref="DefaultMaxStoredBytes"/>.</summary>
    public long Released { get; private set; }

    /// <summary>Every frame still held, oldest first (a snapshot).</summary>
    public IReadOnlyList<CaptureFrameView> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>A frame arrived (after it was added to <see cref="Frames"/>).</summary>
    public event Action<LiveCapture, CaptureFrameView>? FrameAdded;

    /// <summary>The status (or problem) changed.</summary>
    public event Action<LiveCapture>? StatusChanged;

    /// <summary>The newest <paramref name="count"/> frames, oldest first: the window a page shows.</summary>
    public IReadOnlyList<CaptureFrameView> Latest(int count)
    {
        lock (_gate)
        {
            return _frames.Skip(Math.Max(0, _frames.Count - count)).ToList();
        }
    }

    /// <summary>The file name a download gets: lab, element, interface and the start time.</summary>
    public string FileName => $"{Lab}-{Request.Element}-{Request.Interface}-{RequestedAt.UtcDateTime:yyyyMMdd-HHmmss}.pcap";

    /// <summary>Writes the frames held now as a pcap file (nanosecond timestamps, the capture's snap length).</summary>
    public async Task WritePcapAsync(Stream stream, CancellationToken cancellationToken)
    {
        var writer = new PcapWriter(stream, Request.SnapLength, PcapTimestampResolution.Nanoseconds, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var view in Frames)
            {
                await writer.WriteFrameAsync(view.Frame.At, view.Frame.Data, view.Frame.OriginalLength, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Ends the capture: the agent's request is closed, which closes its socket.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            // A stop that comes before the reading task has begun is kept for it.
            _stopRequested = true;
            _stopping?.Cancel();
        }
    }

    /// <summary>
    /// Reads the agent until stopped; runs on its own task (<see cref="CaptureService"/> starts it). The gateway ends
    /// the stream with an Error item when the agent fails, so there is nothing of the agent to catch here.
    /// </summary>
    internal async Task RunAsync(IAgentGateway source, OwnedKernelLab lab, CancellationToken serviceStopping)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(serviceStopping);
        lock (_gate)
        {
            _stopping = stopping;
            if (_stopRequested)
            {
                stopping.Cancel();
            }
        }

        try
        {
            await foreach (var item in source.CaptureAsync(lab, Request, stopping.Token).ConfigureAwait(false))
            {
                if (item.Started is not null)
                {
                    SetStatus(CaptureStatus.Running, null);
                }
                else if (item.Frame is { } frame)
                {
                    Add(frame);
                }
                else if (item.Error is { } error)
                {
                    SetStatus(CaptureStatus.Failed, error.Message);
                    return;
                }
                else if (item.Ended is { } ended)
                {
                    SetStatus(CaptureStatus.Stopped, ended);
                    return;
                }
            }

            SetStatus(CaptureStatus.Stopped, stopping.IsCancellationRequested ? null : "The agent ended the capture.");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            SetStatus(CaptureStatus.Stopped, null);
        }
        finally
        {
            lock (_gate)
            {
                _stopping = null;
            }
        }
    }

    private void Add(CapturedFrame frame)
    {
        var view = new CaptureFrameView(frame, FrameDecoder.Decode(frame.Data));
        lock (_gate)
        {
            _frames.Enqueue(view);
            _storedBytes += frame.Data.Length;
            Count++;
            while (_storedBytes > _maxStoredBytes && _frames.Count > 1)
            {
                _storedBytes -= _frames.Dequeue().Frame.Data.Length;
                Released++;
            }
        }

        FrameAdded?.Invoke(this, view);
    }

    private void SetStatus(CaptureStatus status, string? problem)
    {
        lock (_gate)
        {
            Status = status;
            Problem = problem;
        }

        StatusChanged?.Invoke(this);
    }
}
