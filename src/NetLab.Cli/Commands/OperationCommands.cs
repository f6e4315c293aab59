using System.Text;
using System.CommandLine;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Backends;
using NetLab.Cli.Output;
using NetLab.Core.Formats;

namespace NetLab.Cli.Commands;

/// <summary>`netlab apply FILE` and `netlab destroy NAME|FILE`: live progress, one line per operation, then the outcome.</summary>
internal static class OperationCommands
{
    public static Command CreateApply(CliServices services, Option<string> socket)
    {
        var file = new Argument<string>("FILE") { Description = "The lab file (.yaml, .yml or .json)." };
        var json = CommonOptions.Json();
        var command = new Command("apply", "Make the kernel hold the lab: one line per operation as it runs; on failure, what failed, why, and whether it was rolled back.") { file, json };
        command.SetAction((result, cancel) => ApplyAsync(services, result.GetValue(file)!, CommandContext.Of(result, socket, json), cancel));
        return command;
    }

    public static Command CreateDestroy(CliServices services, Option<string> socket)
    {
        var lab = new Argument<string>("NAME|FILE") { Description = "The lab's name, or its file (its name is read from it)." };
        var json = CommonOptions.Json();
        var command = new Command("destroy", "Remove a lab's namespaces and everything in them from the kernel.") { lab, json };
        command.SetAction((result, cancel) => DestroyAsync(services, result.GetValue(lab)!, CommandContext.Of(result, socket, json), cancel));
        return command;
    }

    internal static async Task<int> ApplyAsync(CliServices services, string path, CommandContext context, CancellationToken cancellationToken)
    {
        if (LabFiles.Read(path, context, "apply") is not { } document)
        {
            return ExitCodes.CannotRun;
        }

        return await new BackendRunner(services, context, "apply", path)
            .RunAsync(backend => WriteStreamAsync(backend.ApplyAsync(document, cancellationToken), context, "applied"))
            .ConfigureAwait(false);
    }

    internal static async Task<int> DestroyAsync(CliServices services, string nameOrFile, CommandContext context, CancellationToken cancellationToken)
    {
        var name = nameOrFile;
        if (File.Exists(nameOrFile))
        {
            if (LabFiles.Read(nameOrFile, context, "destroy") is not { } document)
            {
                return ExitCodes.CannotRun;
            }

            // The name is all destroy needs: a lab file with problems elsewhere can still be destroyed by it.
            var loaded = LabFormat.Load(document.Text, LabFormat.FormatOf(nameOrFile));
            if (loaded.Lab is null)
            {
                await context.Errors.WriteLineAsync($"netlab destroy: cannot read the lab's name from {nameOrFile}; give the name instead:").ConfigureAwait(false);
                Readable.WriteProblems(context.Errors, nameOrFile, loaded.Problems);
                return ExitCodes.Failed;
            }

            name = loaded.Lab.Name;
        }

        return await new BackendRunner(services, context, "destroy")
            .RunAsync(backend => WriteStreamAsync(backend.DestroyAsync(name, cancellationToken), context, "destroyed"))
            .ConfigureAwait(false);
    }

    private static async Task<int> WriteStreamAsync(IAsyncEnumerable<ApplyStreamItem> items, CommandContext context, string verb)
    {
        ApplyResult? result = null;

        // The console flushes every line by itself, which costs an apply of a thousand operations a tenth of a second:
        // write through a buffer instead, flushed whenever the next line is not there yet (so progress stays live).
        var toConsole = ReferenceEquals(context.Output, Console.Out);
        var output = toConsole ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) : context.Output;
        try
        {
            var enumerator = items.GetAsyncEnumerator();
            await using (enumerator.ConfigureAwait(false))
            {
                var next = enumerator.MoveNextAsync();
                while (await next.ConfigureAwait(false))
                {
                    var item = enumerator.Current;
                    if (context.Json)
                    {
                        await output.WriteLineAsync(AgentJson.Serialize(item)).ConfigureAwait(false);
                    }
                    else if (item.Progress is { } progress)
                    {
                        Readable.WriteProgress(output, progress);
                    }

                    if (item.Result is { } last)
                    {
                        result = last;
                        if (!context.Json)
                        {
                            Readable.WriteResult(output, last, verb);
                        }
                    }

                    next = enumerator.MoveNextAsync();
                    if (!next.IsCompleted)
                    {
                        await output.FlushAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            await output.FlushAsync().ConfigureAwait(false);
            if (toConsole)
            {
                await output.DisposeAsync().ConfigureAwait(false);
            }
        }

        return result is { Succeeded: true } ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
