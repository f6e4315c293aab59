using System.CommandLine;
using NetLab.Cli.Commands;

namespace NetLab.Cli;

/// <summary>The `netlab` command tree; each command lives in Commands/.</summary>
internal static class NetlabCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("NetLab: hands-on Linux network labs (namespaces, macvlan, vlan, veth, bridge, vxlan) over rtnetlink.");
        root.Subcommands.Add(DoctorCommand.Create());
        return root;
    }
}
