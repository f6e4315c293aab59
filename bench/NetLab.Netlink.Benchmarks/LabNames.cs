using System.Net;

namespace NetLab.Netlink.Benchmarks;

/// <summary>
/// Every name the benchmark gives the kernel. All namespaces start with nlbench-&lt;pid&gt;-, so that cleanup can find
/// exactly this run's leftovers, and a later run can tell a dead run's leftovers by its pid.
/// </summary>
internal sealed class LabNames(int processId)
{
    public const string Tag = "nlbench-";

    /// <summary>The lab host's "physical" NIC: a veth, never the machine's own eth0 (it lives in the lab host namespace).</summary>
    public const string ParentLink = "eth0";

    /// <summary>The other end of <see cref="ParentLink"/>, in the lab switch namespace.</summary>
    public const string SwitchPort = "host0";

    public const int PrefixLength = 16;

    public int ProcessId { get; } = processId;

    public string Prefix { get; } = $"{Tag}{processId}-";

    public string HostNamespace => Prefix + "host";

    public string SwitchNamespace => Prefix + "sw";

    /// <summary>The measured namespaces: nlbench-&lt;pid&gt;-1 .. -N with macvlans mv1 .. mvN.</summary>
    public IReadOnlyList<LabMember> Members(int count) => Enumerable.Range(1, count)
        .Select(number => new LabMember(number, $"{Prefix}{number}", $"mv{number}", AddressOf(number)))
        .ToList();

    /// <summary>Warm-up namespaces get names of their own so that they can never be mistaken for measured ones.</summary>
    public IReadOnlyList<LabMember> WarmupMembers(int count) => Enumerable.Range(1, count)
        .Select(number => new LabMember(number, $"{Prefix}warm{number}", $"mvw{number}", AddressOf(number)))
        .ToList();

    /// <summary>10.0.0.0/16 plus the number: unique per namespace within one phase.</summary>
    private static IPAddress AddressOf(int number) => new([10, 0, (byte)(number >> 8), (byte)number]);
}

/// <summary>One lab namespace with its macvlan and address.</summary>
internal sealed record LabMember(int Number, string Namespace, string Macvlan, IPAddress Address)
{
    public string Cidr => $"{Address}/{LabNames.PrefixLength}";
}
