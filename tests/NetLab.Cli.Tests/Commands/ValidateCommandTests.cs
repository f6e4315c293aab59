using System.Text.Json;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Tests;

namespace NetLab.Cli.Tests.Commands;

/// <summary>`netlab validate`: pure Core, no agent.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _directory = TestAgent.NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_valid_lab_says_so_and_exits_0()
    {
        var file = Write(Labs.ValidYaml);

        var run = await CliRun.RunAsync(["validate", file], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Equal($"{file}: lab demo is valid.{Environment.NewLine}", run.Output);
    }

    [Fact]
    public async Task An_invalid_lab_prints_each_problem_at_file_line_column_with_its_hint_and_exits_1()
    {
        var file = Write(Labs.InvalidYaml);

        var run = await CliRun.RunAsync(["validate", file], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        var lines = run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(file)}:6:\d+: namespaces\.ns2\.interfaces\.mv0", lines[0]);
        Assert.StartsWith("    hint: ", lines[1], StringComparison.Ordinal);
        Assert.Equal($"{file}: 1 problem.", lines[^1]);
    }

    [Fact]
    public async Task Json_of_an_invalid_lab_is_the_APIs_invalid_lab_error()
    {
        var run = await CliRun.RunAsync(["validate", Write(Labs.InvalidYaml), "--json"], cancellationToken: TestContext.Current.CancellationToken);

        var error = JsonSerializer.Deserialize<AgentError>(run.Output, AgentJson.Options)!;
        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Equal("invalid-lab", error.Code);
        Assert.Equal(6, Assert.Single(error.Problems!).Location?.Line);
    }

    [Fact]
    public async Task A_missing_file_cannot_run_and_exits_2()
    {
        var run = await CliRun.RunAsync(["validate", Path.Combine(_directory, "missing.yaml")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Contains("cannot read the lab file", run.Errors, StringComparison.Ordinal);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_directory, "lab.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
