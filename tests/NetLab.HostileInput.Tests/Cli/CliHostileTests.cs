using System.Text;
using NetLab.HostileInput.Tests.Hosting;

namespace NetLab.HostileInput.Tests.Cli;

/// <summary>
/// Bad files and bad arguments given to the `netlab` command, without the agent (validate) and with the agent `netlab
/// up` runs (plan, apply, destroy, state, events, probe, capture on its socket). Each case asserts the documented exit
/// code (docs/cli.md: 1 the lab or the operation failed, 2 it could not run) with a message that says what was wrong,
/// never a stack trace; nothing changed in the kernel; the agent and the web still answer.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliHostileTests(NetlabUp up) : IClassFixture<NetlabUp>, IDisposable
{
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("nlhostile-cli-");

    public void Dispose() => _files.Delete(recursive: true);

    public static TheoryData<string, string[], string> WrongArguments() => new()
    {
        { "no command", [], "Required command was not provided" },
        { "an unknown command", ["frobnicate"], "Unrecognized command or argument 'frobnicate'" },
        { "a missing file argument", ["validate"], "Required argument missing for command: 'validate'" },
        { "two files", ["plan", "a.yaml", "b.yaml"], "Unrecognized command or argument 'b.yaml'" },
        { "an unknown option", ["apply", "a.yaml", "--force"], "Unrecognized command or argument '--force'" },
        { "an option without its value", ["state", "demo", "--socket"], "Required argument missing for option: '--socket'" },
        { "a number that is not one", ["probe", "demo", "--timeout", "1e9999"], "Cannot parse argument '1e9999' for option '--timeout'" },
        { "a negative count", ["capture", "demo", "ns1", "eth0", "--count", "x"], "Cannot parse argument 'x' for option '--count'" },
        { "a missing interface", ["capture", "demo", "ns1"], "Required argument missing for command: 'capture'" },
        { "--json on up", ["up", "--json"], "Unrecognized command or argument '--json'" },
    };

    [Theory]
    [MemberData(nameof(WrongArguments))]
    public Task Wrong_arguments_say_what_is_wrong_and_exit_2(string what, string[] arguments, string message) => HostileAsync(async () =>
    {
        // The agent's socket goes first, so that a command line that parses by mistake reaches the suite's agent, never
        // the engine in this process (which root gets when no agent listens).
        var run = await Netlab.RunAsync(arguments.Contains("--socket") || arguments.Contains("up") ? arguments : ["--socket", up.SocketPath, .. arguments]);

        Assert.True(run.Exit == 2, $"{what}: {run}");
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
        return run;
    });

    public static TheoryData<string, string, string, int, string> BadFiles() => new()
    {
        // what, file name, contents (see Write), exit code, message
        { "an empty file", "empty.yaml", "", 1, "the file is empty" },
        { "binary bytes", "binary.yaml", "<binary>", 1, "not valid YAML" },
        { "bytes that are not UTF-8", "latin1.yaml", "<latin1>", 1, "problem" },
        { "200,000 nested brackets", "deep.yaml", "<deep>", 1, "a lab file may nest at most 64 levels" },
        { "200,000 nested brackets as JSON", "deep.json", "<deep>", 1, "a lab file may nest at most 64 levels" },
        { "an alias bomb", "lol.yaml", "<bomb>", 1, "anchors and aliases (&name, *name) are not supported" },
        { "YAML named .json", "lab.json", "name: x\nnamespaces:\n  ns1: {}\n", 1, "not valid JSON" },
        { "a shell command as a name", "inject.yaml", "name: inject\nnamespaces:\n  ns1:\n    interfaces:\n      x$(reboot): { kind: bridge }\n", 1, "contains '$'" },
        { "a lab name with '..' and '/'", "dots.yaml", "name: ../etc\nnamespaces:\n  ns1: {}\n", 1, "a name must start with a letter or digit" },
        { "a parent path with '..'", "parent.yaml", "name: up\nnamespaces:\n  ns1:\n    interfaces:\n      m0: { kind: macvlan, mode: bridge, parent: ../../eth0 }\n", 1, "parent" },
        { "more than 1 MiB", "huge.yaml", "<huge>", 2, "holds more than 1048576 bytes; a lab file may be at most 1048576 bytes (1 MiB)" },
        { "a missing file", "missing.yaml", "<missing>", 2, "cannot read the lab file" },
        { "a directory", "folder.yaml", "<directory>", 2, "is a directory, not a lab file" },
        { "a link to itself", "loop.yaml", "<loop>", 2, "cannot read the lab file" },
        { "/dev/zero", "/dev/zero", "<device>", 2, "holds more than 1048576 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public Task Validate_plan_and_apply_of_a_bad_file_say_what_is_wrong_with_the_documented_exit_code(string what, string name, string contents, int exit, string message) => HostileAsync(async () =>
    {
        var file = Write(name, contents);
        NetlabRun? last = null;
        foreach (var command in new[] { "validate", "plan", "apply" })
        {
            var run = await Netlab.RunAsync(command == "validate" ? [command, file] : [command, file, "--socket", up.SocketPath]);

            Assert.True(run.Exit == exit, $"{command} of {what}: {run}");
            Assert.Contains(message, run.All, StringComparison.Ordinal);
            last = run;
        }

        return last!;
    });

    [Theory]
    [InlineData("destroy")]
    [InlineData("state")]
    [InlineData("events")]
    [InlineData("probe")]
    [InlineData("capture")]
    public Task A_lab_name_no_lab_can_have_is_refused_by_the_agent_with_exit_2(string command) => HostileAsync(async () =>
    {
        NetlabRun? last = null;
        foreach (var name in new[] { "../etc", "a/b", "victim.ns1", "$(reboot)", "-x" })
        {
            string[] arguments = command == "capture" ? [command, name, "ns1", "v0"] : [command, name];
            var run = await Netlab.RunAsync([.. arguments, "--socket", up.SocketPath]);

            // "-x" reads as an option where an option could be: then the command line itself is what is wrong.
            Assert.True(run.Exit == 2, $"{command} {name}: {run}");
            Assert.True(
                run.Errors.Contains("No lab can be named like that", StringComparison.Ordinal) || (name == "-x" && run.Errors.Contains("Unrecognized command or argument '-x'", StringComparison.Ordinal)),
                $"{command} {name}: {run}");
            last = run;
        }

        return last!;
    });

    [Fact]
    public Task Destroy_of_a_lab_whose_namespace_NetLab_did_not_make_leaves_it_with_a_warning_and_exit_0() => HostileAsync(async () =>
    {
        var run = await Netlab.RunAsync("destroy", Canaries.VictimLab, "--socket", up.SocketPath);

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains($"{up.Kernel(Canaries.VictimLab, "ns1")} exists and was not made by NetLab", run.All, StringComparison.Ordinal);
        return run;
    });

    /// <summary>The contents a case names: text, or a marker for bytes, sizes and file kinds text cannot say.</summary>
    private string Write(string name, string contents)
    {
        if (name.StartsWith('/'))
        {
            return name;
        }

        var path = Path.Combine(_files.FullName, name);
        switch (contents)
        {
            case "<missing>":
                break;
            case "<directory>":
                Directory.CreateDirectory(path);
                break;
            case "<loop>":
                File.CreateSymbolicLink(path, path);
                break;
            case "<binary>":
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256))]);
                break;
            case "<latin1>":
                File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("name: caf"), 0xe9, 0xff, 0xfe, .. Encoding.ASCII.GetBytes("\nnamespaces:\n  ns1: {}\n")]);
                break;
            case "<deep>":
                File.WriteAllText(path, new string('[', 200_000));
                break;
            case "<bomb>":
                File.WriteAllText(path, "name: lol\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                    + string.Concat(Enumerable.Range(1, 9).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n")));
                break;
            case "<huge>":
                File.WriteAllText(path, "name: huge\n#" + new string('x', 2 * 1024 * 1024));
                break;
            default:
                File.WriteAllText(path, contents);
                break;
        }

        return path;
    }

    /// <summary>The safe outcome around a CLI case: no stack trace, the kernel as it was, the agent and web alive.</summary>
    private async Task HostileAsync(Func<Task<NetlabRun>> hostile)
    {
        up.Require();
        using var canaries = Canaries.Plant(up);
        var before = up.Namespaces();

        var run = await hostile();

        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", run.All, StringComparison.Ordinal);
        Assert.Equal(before, up.Namespaces());
        canaries.AssertUntouched();
        await up.AssertAliveAsync();
    }
}
