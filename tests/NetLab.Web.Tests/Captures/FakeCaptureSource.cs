using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model.Captures;

namespace NetLab.Web.Tests.Captures;

/// <summary>Captures the test drives: every call gets a channel the test writes stream items into.</summary>
public sealed class FakeCaptureSource : ICaptureSource
{
    public ConcurrentQueue<(string Lab, CaptureRequest Request)> Requests { get; } = new();

    /// <summary>The stream of the newest call: write Started, frames, Ended or Error into it.</summary>
    public Channel<CaptureStreamItem> Stream { get; private set; } = Channel.CreateUnbounded<CaptureStreamItem>();

    /// <summary>When set, the next call throws it (as the agent client does for a 404).</summary>
    public Exception? Throws { get; set; }

    /// <summary>Completed when a call ends by cancellation (the web stopped the capture).</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string lab, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Requests.Enqueue((lab, request));
        if (Throws is { } error)
        {
            throw error;
        }

        var stream = Stream;
        try
        {
            await foreach (var item in stream.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            // Told as the call ends, not from a registration on the token: the channel's own cancellation callback can
            // resume this iterator on another thread, which then disposes such a registration before it has run.
            if (cancellationToken.IsCancellationRequested)
            {
                Cancelled.TrySetResult();
            }
        }
    }

    /// <summary>A real ICMP echo request (10.0.0.1 > 10.0.0.2) with the given sequence number in its frame number.</summary>
    public static CapturedFrame Echo(long number, bool outgoing = true) => new(
        number,
        DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + number),
        98,
        Convert.FromHexString("02000000000b02000000000a080045000054cb59400040015b4d0a0000010a000002080090e27e7b000120320a6b00000000f630090000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"),
        outgoing);
}
