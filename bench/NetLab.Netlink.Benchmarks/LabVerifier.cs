using System.Net.Sockets;
using NetLab.Core.Links;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Netlink.Benchmarks;

/// <summary>
/// Checks, outside the timed regions, that a phase did its work, so that neither side can look fast by doing
/// nothing: every namespace exists, and a sample of them holds what the recipe puts there.
/// </summary>
internal static class LabVerifier
{
    public static void VerifyCreated(string side, IReadOnlyList<LabMember> members)
    {
        var present = NetworkNamespace.ListNames().ToHashSet(StringComparer.Ordinal);
        var missing = members.Where(member => !present.Contains(member.Namespace)).Select(member => member.Namespace).ToList();
        if (missing.Count > 0)
        {
            throw new BenchmarkFailedException($"{side}: after create, {missing.Count} namespace(s) do not exist, e.g. {string.Join(", ", missing.Take(5))}");
        }

        var problems = Sample(members).SelectMany(Inspect).ToList();
        if (problems.Count > 0)
        {
            throw new BenchmarkFailedException($"{side}: after create, {string.Join("; ", problems)}");
        }
    }

    public static void VerifyDeleted(string side, IReadOnlyList<LabMember> members)
    {
        var present = NetworkNamespace.ListNames().ToHashSet(StringComparer.Ordinal);
        var left = members.Where(member => present.Contains(member.Namespace)).Select(member => member.Namespace).ToList();
        if (left.Count > 0)
        {
            throw new BenchmarkFailedException($"{side}: after delete, {left.Count} namespace(s) still exist, e.g. {string.Join(", ", left.Take(5))}");
        }
    }

    /// <summary>First, middle and last: cheap, and a recipe that breaks part-way through a run shows in one of them.</summary>
    private static IEnumerable<LabMember> Sample(IReadOnlyList<LabMember> members) =>
        new[] { 0, members.Count / 2, members.Count - 1 }.Distinct().Select(position => members[position]);

    private static IEnumerable<string> Inspect(LabMember member)
    {
        var problems = new List<string>();
        using var handle = NetlinkHandle.ForNamed(member.Namespace);
        var link = handle.LinkByName(member.Macvlan);
        if (link is not Macvlan macvlan)
        {
            problems.Add(link is null ? $"{member.Namespace} has no {member.Macvlan}" : $"{member.Macvlan} in {member.Namespace} is a {link.Kind}, not a macvlan");
            return problems;
        }

        if (macvlan.Mode != MacvlanMode.Bridge)
        {
            problems.Add($"{member.Macvlan} in {member.Namespace} is in mode {macvlan.Mode.Word()}, not bridge");
        }

        // The parent stays in the lab host, so the kernel reports it through a namespace id.
        if (macvlan.ParentNetnsId is null)
        {
            problems.Add($"{member.Macvlan} in {member.Namespace} does not have its parent in another namespace");
        }

        if (!macvlan.IsUp)
        {
            problems.Add($"{member.Macvlan} in {member.Namespace} is down");
        }

        var loopback = handle.LinkByName("lo");
        if (loopback is null || !loopback.IsUp)
        {
            problems.Add($"lo in {member.Namespace} is {(loopback is null ? "missing" : "down")}");
        }

        var hasAddress = handle.AddressList(AddressFamily.InterNetwork).Any(address =>
            address.InterfaceIndex == macvlan.Index && address.Ip.Equals(member.Address) && address.PrefixLength == LabNames.PrefixLength);
        if (!hasAddress)
        {
            problems.Add($"{member.Macvlan} in {member.Namespace} lacks {member.Cidr}");
        }

        return problems;
    }
}
