using NetLab.Agent.Tests;
using NetLab.Cli.Launcher;

namespace NetLab.Cli.Tests.Commands;

/// <summary>
/// What `netlab` answers a command line or a file it cannot use: the exit code docs/cli.md documents and one clear
/// message, never a stack trace. Before, a command line that did not parse exited 1 ("the lab failed") instead of 2
/// ("bad arguments"), an unexpected exception printed System.CommandLine's "Unhandled exception" with its stack trace,
/// a directory was "Access to the path is denied" (also for root), and /dev/zero was read until memory ran out.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CommandLineErrorTests : IDisposable
{
    private readonly string _directory = TestAgent.NewDirectory();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "validate" }, "Required argument missing for command: 'validate'")]
    [InlineData(new[] { "validate", "a.yaml", "b.yaml" }, "Unrecognized command or argument 'b.yaml'")]
    [InlineData(new[] { "plan", "a.yaml", "--no-such-option" }, "Unrecognized command or argument '--no-such-option'")]
    [InlineData(new[] { "probe", "demo", "--timeout", "soon" }, "Cannot parse argument 'soon' for option '--timeout'")]
    [InlineData(new[] { "state", "--socket" }, "Required argument missing for option: '--socket'")]
    public async Task A_command_line_that_does_not_parse_says_what_is_wrong_and_exits_2(string[] arguments, string message)
    {
        var run = await CliRun.RunAsync(arguments, cancellationToken: Cancel);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Errors + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_is_not_an_error()
    {
        var run = await CliRun.RunAsync(["validate", "--help"], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Contains("validate <FILE>", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exception_no_command_expected_is_one_line_and_exit_3_without_a_stack_trace()
    {
        var data = Path.Combine(_directory, "data");
        var services = new CliServices(_ => new FakeLabEngine(), IsRoot: true) { Accounts = new ThrowingAccounts() };

        var run = await CliRun.RunAsync(["up", "--socket", Path.Combine(_directory, "agent.sock"), "--data", data, "--url", "http://127.0.0.1:1"], services, cancellationToken: Cancel);

        Assert.Equal(ExitCodes.KernelOrAgentError, run.Exit);
        Assert.Equal(
            "netlab up: unexpected error: InvalidOperationException: the accounts database is broken. This is a bug of netlab, not of the lab: please report it with the command that caused it.",
            run.Errors.Trim());
    }

    [Fact]
    public async Task A_directory_given_as_a_lab_file_is_named_a_directory_and_exits_2()
    {
        var run = await CliRun.RunAsync(["validate", _directory], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Equal($"netlab validate: cannot read the lab file {_directory}: {_directory} is a directory, not a lab file: name a .yaml, .yml or .json file", run.Errors.Trim());
    }

    [Fact]
    public async Task A_file_that_never_ends_is_read_no_further_than_a_lab_file_may_be()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var run = await CliRun.RunAsync(["validate", "/dev/zero"], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Contains("cannot read the lab file /dev/zero: it holds more than 1048576 bytes; a lab file may be at most 1048576 bytes (1 MiB)", run.Errors, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"reading /dev/zero took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_lab_file_of_exactly_1_MiB_is_still_read()
    {
        var header = "name: demo\n#";
        var file = Path.Combine(_directory, "full.yaml");
        File.WriteAllText(file, header + new string('x', Core.Formats.LabFormat.MaxDocumentBytes - header.Length));

        var run = await CliRun.RunAsync(["validate", file], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
    }

    [Theory]
    [InlineData("", "the namespace prefix is empty")]
    [InlineData("a/b-", "the namespace prefix 'a/b-' contains '/'")]
    [InlineData("nl.x-", "the namespace prefix 'nl.x-' contains '.'")]
    [InlineData("-nl-", "the namespace prefix '-nl-' starts with '-'")]
    [InlineData("a-prefix-that-is-far-too-long-", "is 30 characters long; at most 24 are allowed")]
    public async Task A_namespace_prefix_that_could_not_name_namespaces_safely_is_refused_before_the_agent_starts(string prefix, string message)
    {
        var engines = 0;
        var services = new CliServices(_ => { engines++; return new FakeLabEngine(); }, IsRoot: true);

        var run = await CliRun.RunAsync(["agent", "--socket", Path.Combine(_directory, "agent.sock"), "--namespace-prefix", prefix], services, cancellationToken: Cancel);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
        Assert.Equal(0, engines);
        Assert.False(File.Exists(Path.Combine(_directory, "agent.sock")));
    }

    private sealed class ThrowingAccounts : IUserAccounts
    {
        public WebUser? Find(string name) => throw new InvalidOperationException("the accounts database is broken");

        public void CreateSystemUser(string name) => throw new InvalidOperationException("the accounts database is broken");
    }
}
