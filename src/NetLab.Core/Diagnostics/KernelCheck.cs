namespace NetLab.Core.Diagnostics;

// What `netlab doctor` finds, as data: the netlink engine makes these, the agent's API sends them (DoctorReport), and
// a client reads them without the engine (NetLab.Agent.Client depends on Core only).

public enum CheckStatus
{
    Ok,
    Unsupported,
    Failed,
}

/// <summary>One row of `netlab doctor`: a link kind (and mode) tried on this kernel.</summary>
public sealed record KernelCheck(string Kind, string? Mode, CheckStatus Status, string Detail, double Milliseconds);
