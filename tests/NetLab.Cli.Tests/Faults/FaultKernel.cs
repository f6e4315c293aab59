using System.Globalization;
using System.Text;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Tests.Engine;
using NetLab.Netlink.Namespaces;

namespace NetLab.Cli.Tests.Faults;

/// <summary>What the fault tests ask of the kernel: a lab's namespaces, the plan to converge, and namespaces without a name.</summary>
internal static class FaultKernel
{
    /// <summary>nsfs inodes start here (PROC_DYNAMIC_FIRST); a plain file of /run/netns has a small tmpfs inode.</summary>
    public const ulong FirstNamespaceInode = 0xF0000000;

    /// <summary>`netlab up`'s naming: namespace <c>nl-KERNELLAB.ELEMENT</c>, the lab's kernel name as the store gave it.</summary>
    public static List<string> Namespaces(string kernelLab) =>
        NetworkNamespace.ListNames().Where(n => n.StartsWith($"nl-{kernelLab}.", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The lab of the fault tests: switch sw1, host h1 on it, and <paramref name="count"/> namespaces each with a
    /// bridge-mode macvlan on h1's eth0, an address and lo up; <paramref name="count"/> + 2 namespaces in all. Every
    /// namespace reaches every other, so a run's check has no timeouts to wait for.
    /// </summary>
    public static string Lab(string name, int count)
    {
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"name: {name}\nswitches:\n  sw1:\n    ports:\n      p1: {{ hairpin: false }}\nhosts:\n  h1:\n    nics:\n      eth0: {{ switch: sw1, port: p1 }}\nnamespaces:\n");
        for (var i = 1; i <= count; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  ns{i}:\n    loopback: up\n    interfaces:\n      mv{i}: {{ kind: macvlan, parent: h1/eth0, mode: bridge, addresses: [10.77.{i}.1/16] }}\n");
        }

        return yaml.ToString();
    }

    /// <summary>The plan that would bring the kernel lab <paramref name="kernelLab"/> to <paramref name="yaml"/> now (the agent's own answer).</summary>
    public static async Task<PlanView> PlanAsync(string socket, string yaml, string kernelLab, CancellationToken cancellationToken)
    {
        using var client = new AgentClient(socket);
        return await client.PlanAsync(new LabDocument(yaml, Name: kernelLab), cancellationToken);
    }

    /// <summary>
    /// The namespaces among <paramref name="inodes"/> that something keeps alive without a name: a thread, an open file
    /// or a socket, of any process (sockets of <paramref name="agentPids"/> too).
    /// </summary>
    public static IReadOnlyList<ulong> Nameless(IEnumerable<ulong> inodes, IEnumerable<int> agentPids) =>
        LiveNetworkNamespaces.AliveWithoutName(inodes, agentPids);

    /// <summary>Removes whatever of the lab is left (a failed test's cleanup), as `ip netns del` would.</summary>
    public static void Remove(string kernelLab)
    {
        foreach (var name in Namespaces(kernelLab))
        {
            try
            {
                NetworkNamespace.Delete(name);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or NetLab.Netlink.NetlinkException)
            {
                _ = ExternalCommand.Run("ip", "netns", "del", name);
            }
        }
    }
}
