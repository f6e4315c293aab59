namespace NetLab.Agent.Client.Contracts;

// Wire records of the experiment features (connectivity check and packet capture); docs/agent-api.md describes the
// endpoints. Predictions and explanations are not here: they come from the lab model (NetLab.Core) and are computed
// wherever a lab revision is at hand, so a recorded run can be explained again later.

/// <summary>Options of a connectivity check.</summary>
public sealed record ProbeRequest(int TimeoutMilliseconds = 1000)
{
    /// <summary>
    /// The longest wait the agent takes (10 s). A check holds its lab (an apply or destroy waits for it), so the wait
    /// is bounded; a reply later than this is no lesson a lab teaches (ping's own default wait is 1 s).
    /// </summary>
    public const int MaxTimeoutMilliseconds = 10_000;
}

/// <summary>Whether the target's link-layer address was resolved (ARP for IPv4, neighbour discovery for IPv6).</summary>
public enum NeighborOutcome
{
    /// <summary>The target answered: layer 2 works, so a missing echo reply is a layer-3 (or higher) matter.</summary>
    Answered,

    /// <summary>Resolution was tried and nobody answered: the frames never reached the target, or its reply never came back.</summary>
    Unanswered,

    /// <summary>No resolution was needed or possible: the target is local (own address, via lo) or no route leads to it.</summary>
    NotNeeded,
}

/// <summary>One pair of a connectivity check: an ICMP echo from a namespace to an address of the lab.</summary>
/// <param name="From">The lab element (namespace, host or switch) the echo was sent from.</param>
/// <param name="To">The lab element that holds <paramref name="Address"/>.</param>
/// <param name="ToInterface">The interface of <paramref name="To"/> that holds the address.</param>
/// <param name="Address">The target address, without prefix length.</param>
/// <param name="Replied">An echo reply came back within the timeout.</param>
/// <param name="Neighbor">What address resolution for the target (or its gateway) showed.</param>
/// <param name="RttMilliseconds">Round-trip time of the reply, when there was one.</param>
/// <param name="Error">Why the echo could not be sent at all (for example "Network is unreachable"), when it could not.</param>
public sealed record ProbeResult(string From, string To, string ToInterface, string Address, bool Replied, NeighborOutcome Neighbor, double? RttMilliseconds = null, string? Error = null);

/// <summary>The whole connectivity check of a lab.</summary>
/// <param name="Lab">The lab's name.</param>
/// <param name="StartedAt">When the check began.</param>
/// <param name="Milliseconds">How long the whole check took.</param>
/// <param name="Results">One result per (source, target address) pair.</param>
/// <param name="Waves">
/// In how many waves of source namespaces the check ran: 1 (all at once) unless the lab needs more neighbour entries
/// than the kernel's shared ARP/ND table has room for (gc_thresh3), when the sources take turns and the entries each
/// wave made are deleted before the next.
/// </param>
public sealed record ProbeReport(string Lab, DateTimeOffset StartedAt, double Milliseconds, IReadOnlyList<ProbeResult> Results, int Waves = 1);

/// <summary>Start a capture on one interface of a lab; the capture lasts until the client ends the stream or <paramref name="MaxFrames"/> frames were sent.</summary>
public sealed record CaptureRequest(string Element, string Interface, int SnapLength = 65535, int? MaxFrames = null)
{
    /// <summary>
    /// Captures an agent runs at once on one lab unless configured otherwise (the agent's <c>MaxCapturesPerLab</c>);
    /// one more is answered 429 busy. Here, so that a client can offer no more than the agent will run (the web's
    /// "Run experiment" dialog lets at most this many be chosen).
    /// </summary>
    public const int DefaultMaxPerLab = 4;
}

/// <summary>
/// One captured frame, as the wire saw it: 802.1Q/802.1ad tags that the kernel moved out of the frame (VLAN offload)
/// are put back in, as libpcap does, so a pcap of it shows what a switch port carried.
/// </summary>
/// <param name="Number">1 for the first frame of the capture.</param>
/// <param name="At">When the kernel received or sent it.</param>
/// <param name="OriginalLength">The frame's length on the wire, which may exceed the captured bytes.</param>
/// <param name="Data">The captured bytes, base64 (JSON's way with bytes).</param>
/// <param name="Outgoing">The interface sent it (PACKET_OUTGOING) rather than received it.</param>
public sealed record CapturedFrame(long Number, DateTimeOffset At, int OriginalLength, byte[] Data, bool Outgoing);

/// <summary>
/// A line of a capture stream: first Started (the capture is armed: traffic from now on is seen), then frames, and
/// Ended or Error last when the agent ends the capture itself.
/// </summary>
public sealed record CaptureStreamItem(CaptureRequest? Started = null, CapturedFrame? Frame = null, string? Ended = null, AgentError? Error = null);
