using System.CommandLine;
using System.CommandLine.Help;

namespace NetLab.Cli.Tests.Commands;

/// <summary>
/// docs/cli.md is the reference of the command line: it has a section for every command `netlab` has (and none for a
/// command it lacks), and each section names the command's arguments and options, read from the System.CommandLine
/// definitions themselves, so an option added or renamed in code without its documentation fails here.
/// </summary>
public sealed class CliReferenceTests
{
    private const string SectionMark = "### `netlab ";

    private static readonly string Reference = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "cli.md")).ReplaceLineEndings("\n");

    private static readonly RootCommand Root = NetlabCommandLine.Build();

    public static TheoryData<string> Commands() => new(Root.Subcommands.Select(c => c.Name).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_argument_and_option_of_a_command_is_in_its_section(string name)
    {
        var command = Root.Subcommands.Single(c => c.Name == name);
        var section = Section(name);
        Assert.True(section is not null, $"docs/cli.md has no section \"{SectionMark}{name} ...`\"");

        var heading = section.Split('\n')[0];
        var missing = command.Arguments.Select(a => a.Name).Where(a => !heading.Contains(a, StringComparison.Ordinal))
            .Concat(OwnOptionNames(command).Where(o => !section.Contains($"`{o}", StringComparison.Ordinal) && !SharedOptionIsDocumented(o)))
            .ToList();
        Assert.True(missing.Count == 0, $"docs/cli.md's section on `netlab {name}` does not name: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_section_is_a_command_netlab_has()
    {
        var documented = Reference.Split('\n').Where(l => l.StartsWith(SectionMark, StringComparison.Ordinal))
            .Select(l => l[SectionMark.Length..].Split(' ', '`')[0]).ToList();
        Assert.Equal(Root.Subcommands.Select(c => c.Name).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_global_socket_option_and_the_exit_codes_are_documented()
    {
        var socket = Root.Options.Single(o => o.Recursive && o.Name == "--socket");
        Assert.Contains($"`{socket.Name} PATH`", Reference, StringComparison.Ordinal);
        Assert.Contains($"default `{Agent.Hosting.AgentOptions.DefaultSocketPath}`", Reference, StringComparison.Ordinal);
        foreach (var code in new[] { ExitCodes.Ok, ExitCodes.Failed, ExitCodes.CannotRun, ExitCodes.KernelOrAgentError })
        {
            Assert.Contains($"| `{code}` |", Reference, StringComparison.Ordinal);
        }
    }

    /// <summary>The command's own options and their aliases; help is System.CommandLine's own.</summary>
    private static IEnumerable<string> OwnOptionNames(Command command) =>
        // A hidden option is kept for old command lines only (e.g. `up --allow-remote`) and is not taught.
        command.Options.Where(o => o is not HelpOption && !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name));

    /// <summary>--json is described once, under "Options every command has".</summary>
    private static bool SharedOptionIsDocumented(string option) =>
        option == "--json" && Section("every command has", prefix: "## Options ") is { } shared && shared.Contains("`--json`", StringComparison.Ordinal);

    /// <summary>The text from a heading to the next heading of the same or a higher level.</summary>
    private static string? Section(string name, string prefix = SectionMark)
    {
        // The name ends the heading, or is followed by its arguments or the closing backtick ("up" is not "update").
        var start = new[] { "\n", " ", "`" }.Select(end => Reference.IndexOf("\n" + prefix + name + end, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (start < 0)
        {
            return null;
        }

        var level = prefix.TakeWhile(c => c == '#').Count();
        var next = Enumerable.Range(1, level).Select(n => Reference.IndexOf("\n" + new string('#', n) + " ", start + 1, StringComparison.Ordinal))
            .Where(i => i > 0).DefaultIfEmpty(Reference.Length).Min();
        return Reference[(start + 1)..next];
    }
}
