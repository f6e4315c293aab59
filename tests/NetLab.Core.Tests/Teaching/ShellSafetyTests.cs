using System.Text;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Teaching;

/// <summary>
/// The teaching view prints commands students paste into a root shell, so no name in a lab may make a shell do
/// anything but pass it to `ip` as one word. Every printable ASCII character is tried in every kind of name: either
/// the validator refuses it and says which character, or every rendered command splits, in a real POSIX shell, into
/// exactly the words the renderer meant.
/// </summary>
public sealed class ShellSafetyTests
{
    /// <summary>Where a name can be written in a lab.</summary>
    public enum Role
    {
        Lab,
        Switch,
        Port,
        Host,
        Nic,
        Namespace,
        Interface,
    }

    public static TheoryData<Role, string> EveryPrintableCharacterInEveryName()
    {
        var data = new TheoryData<Role, string>();
        foreach (var role in Enum.GetValues<Role>())
        {
            for (var c = (char)0x20; c <= (char)0x7E; c++)
            {
                // In the middle (a$b) and in front (-a), where an option dash or a tilde would act differently.
                data.Add(role, $"a{c}b");
                data.Add(role, $"{c}a");
            }

            data.Add(role, "$(reboot)");
            data.Add(role, "a'b'\\c");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPrintableCharacterInEveryName))]
    public void A_name_is_either_refused_with_its_character_named_or_reaches_the_shell_as_one_word(Role role, string name)
    {
        var lab = LabWith(role, name);
        var problems = LabValidator.Validate(lab);
        if (problems.Count > 0)
        {
            var problem = Assert.Single(problems);
            Assert.Equal(PathOf(role, name), problem.Path);
            var refused = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
            Assert.Contains(refused == default ? $"'{name}'" : $"'{refused}'", problem.Message, StringComparison.Ordinal);
            return;
        }

        foreach (var names in new[] { NamespaceNames.Lab, NamespaceNames.Kernel })
        {
            var commands = Iproute2Renderer.Render(Planner.Plan(ObservedState.Empty, lab), names);
            var words = commands.Select(command => PosixWords.Split(command)).ToList();
            for (var i = 0; i < commands.Count; i++)
            {
                Assert.True(words[i] is not null, $"'{commands[i]}' leaves a shell character unquoted");
            }

            // Only commands the strict splitter confirmed quoted reach the shell, and the shell only prints them (set -f: no globbing).
            Assert.Equal(words.Select(w => w!), ShellSplits(commands));
            if (role != Role.Lab || names == NamespaceNames.Kernel)
            {
                Assert.Contains(words, w => w!.Any(word => word.Contains(name, StringComparison.Ordinal)));
            }
        }
    }

    public static TheoryData<string> EveryPrintableCharacter()
    {
        var data = new TheoryData<string>();
        for (var c = (char)0x20; c <= (char)0x7E; c++)
        {
            data.Add($"a{c}b");
            data.Add(c.ToString());
        }

        data.Add("$(reboot)");
        data.Add("it's");
        data.Add("''");
        data.Add("");
        return data;
    }

    /// <summary>
    /// The renderer does not rely on the validator: a plan also names what it finds in the kernel (a link someone made
    /// by hand in a lab's namespace is deleted by name), so every word it prints is quoted for the shell.
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryPrintableCharacter))]
    public void Every_word_the_renderer_prints_reaches_the_shell_unchanged(string name)
    {
        var address = InterfaceAddress.Parse("10.0.0.1/24");
        var cases = new (PlanOperation Operation, string[] Words)[]
        {
            (new CreateNamespace(name) { Source = "s" }, ["ip", "netns", "add", name]),
            (new DeleteLink(name, name) { Source = "s" }, ["ip", "-n", name, "link", "del", name]),
            (new CreateLink(name, name, new LinkSpec { Kind = LinkKind.Bridge }) { Source = "s" }, ["ip", "-n", name, "link", "add", name, "type", "bridge"]),
            (new CreateLink(name, name, new LinkSpec { Kind = LinkKind.Veth, Peer = new(name + "x", name) }) { Source = "s" },
                ["ip", "-n", name, "link", "add", name, "type", "veth", "peer", "name", name, "netns", name + "x"]),
            (new MoveLink(name, name, name + "x") { Source = "s" }, ["ip", "-n", name, "link", "set", name, "netns", name + "x"]),
            (new SetMaster(name, name, name) { Source = "s" }, ["ip", "-n", name, "link", "set", name, "master", name]),
            (new AddAddress(name, name, address) { Source = "s" }, ["ip", "-n", name, "addr", "add", "10.0.0.1/24", "dev", name]),
        };

        var commands = cases.Select(c => Iproute2Renderer.Render(c.Operation, ns => ns)).ToList();

        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(cases[i].Words, PosixWords.Split(commands[i]));
        }

        Assert.Equal(cases.Select(c => c.Words), ShellSplits(commands));
    }

    private static string PathOf(Role role, string name) => role switch
    {
        Role.Lab => "name",
        Role.Switch => $"switches.{name}",
        Role.Port => $"switches.s1.ports.{name}",
        Role.Host => $"hosts.{name}",
        Role.Nic => $"hosts.h1.nics.{name}",
        Role.Namespace => $"namespaces.{name}",
        _ => $"namespaces.ns1.interfaces.{name}",
    };

    /// <summary>One switch with one port, a host plugged into it and a namespace with a bridge: every kind of name once.</summary>
    private static Lab LabWith(Role role, string name)
    {
        string Named(Role r, string usual) => r == role ? name : usual;
        var @switch = Named(Role.Switch, "s1");
        var port = Named(Role.Port, "p1");
        return new Lab
        {
            Name = Named(Role.Lab, "inj"),
            Switches = [new Switch { Name = @switch, Ports = [new SwitchPort { Name = port }] }],
            Hosts = [new Host { Name = Named(Role.Host, "h1"), Nics = [new HostNic { Name = Named(Role.Nic, "eth0"), Switch = @switch, Port = port, Addresses = ["10.0.0.1/24"] }] }],
            Namespaces = [new LabNamespace { Name = Named(Role.Namespace, "ns1"), Interfaces = [new BridgeInterface { Name = Named(Role.Interface, "br1") }] }],
        };
    }

    /// <summary>The words /bin/sh sees in each command, with globbing off and printf as the command, so nothing runs.</summary>
    private static List<string[]> ShellSplits(IReadOnlyList<string> commands)
    {
        const string end = "--end-of-command--";
        var script = new StringBuilder("set -f\n");
        foreach (var command in commands)
        {
            script.Append("printf '%s\\n' ").Append(command).Append('\n').Append("printf '%s\\n' ").Append(end).Append('\n');
        }

        var (exitCode, output) = ExternalCommand.Run("/bin/sh", "-c", script.ToString());
        Assert.True(exitCode == 0, output);
        return output.Split(end + "\n", StringSplitOptions.None)[..^1]
            .Select(chunk => chunk.Split('\n')[..^1])
            .ToList();
    }
}

/// <summary>
/// A strict reading of POSIX shell words: a word is made of characters a shell takes literally, single-quoted runs
/// and backslash escapes. Anything else outside quotes (`$`, `;`, a backtick, a double quote, glob characters ...)
/// makes the line unsafe and gives null, so a line reaches the real shell only after this check has passed.
/// </summary>
internal static class PosixWords
{
    private static bool IsLiteral(char c) => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c, StringComparison.Ordinal);

    public static string[]? Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == ' ')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                var close = line.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    return null;
                }

                word.Append(line, i + 1, close - i - 1);
                i = close;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                word.Append(line[++i]);
            }
            else if (IsLiteral(c) && !(c == '=' && word.Length == 0 && words.Count == 0))
            {
                word.Append(c);
            }
            else
            {
                return null;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }
}
