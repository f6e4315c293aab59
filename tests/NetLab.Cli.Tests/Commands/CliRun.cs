using NetLab.Agent.Tests;

namespace NetLab.Cli.Tests.Commands;

/// <summary>One `netlab` invocation in this process: its exit code and what it wrote.</summary>
internal sealed record CliRun(int Exit, string Output, string Errors)
{
    /// <summary>No in-process engine and not root: a command can only reach the agent over --socket.</summary>
    public static CliServices AgentOnly { get; } = new(_ => throw new InvalidOperationException("this test has no in-process engine"), IsRoot: false);

    public static async Task<CliRun> RunAsync(string[] args, CliServices? services = null, LockedStringWriter? output = null, CancellationToken cancellationToken = default)
    {
        output ??= new LockedStringWriter();
        var errors = new LockedStringWriter();
        var exit = await NetlabCommandLine.InvokeAsync(args, new() { Output = output, Error = errors }, services ?? AgentOnly, cancellationToken);
        return new CliRun(exit, output.Text, errors.Text);
    }

    /// <summary>Writes a lab file into the test agent's folder.</summary>
    public static string LabFile(TestAgent agent, string text, string name = "lab.yaml")
    {
        var path = Path.Combine(agent.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}

/// <summary>A StringWriter a test may read while a command is still writing to it.</summary>
internal sealed class LockedStringWriter : StringWriter
{
    private readonly Lock _lock = new();

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return ToString();
            }
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            base.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            base.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_lock)
        {
            base.Write(buffer, index, count);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            base.WriteLine(value);
        }
    }
}
