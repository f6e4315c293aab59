using System.CommandLine;
using System.Globalization;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Backends;
using NetLab.Core.Packets;

namespace NetLab.Cli.Commands;

/// <summary>`netlab capture LAB ELEMENT INTERFACE`: frames on one interface of a lab, decoded one per line, optionally saved as pcap.</summary>
internal static class CaptureCommand
{
    public static Command Create(CliServices services, Option<string> socket)
    {
        var lab = new Argument<string>("LAB") { Description = "The lab (its name in the kernel, as `netlab state` lists it)." };
        var element = new Argument<string>("ELEMENT") { Description = "The host, switch or namespace of the lab." };
        var interfaceName = new Argument<string>("INTERFACE") { Description = "The interface inside that element, e.g. eth0 or a switch port." };
        var write = new Option<FileInfo?>("--write", "-w") { Description = "Also write the frames to this pcap file (tcpdump -r and Wireshark read it)." };
        var count = new Option<int?>("--count", "-c") { Description = "Stop after this many frames (default: until Ctrl-C)." };
        var snapLength = new Option<int>("--snaplen", "-s") { Description = "Bytes kept of each frame (default 65535, as tcpdump).", DefaultValueFactory = _ => 65535 };
        var json = CommonOptions.Json();
        var command = new Command("capture", "Capture frames on one interface of a lab: one decoded line per frame as it arrives, until Ctrl-C or --count.")
        {
            lab, element, interfaceName, write, count, snapLength, json,
        };
        command.SetAction((result, cancel) => RunAsync(
            services,
            result.GetValue(lab)!,
            new CaptureRequest(result.GetValue(element)!, result.GetValue(interfaceName)!, result.GetValue(snapLength), result.GetValue(count)),
            result.GetValue(write),
            CommandContext.Of(result, socket, json),
            cancel));
        return command;
    }

    internal static Task<int> RunAsync(CliServices services, string labName, CaptureRequest request, FileInfo? pcapFile, CommandContext context, CancellationToken cancellationToken) =>
        new BackendRunner(services, context, "capture").RunAsync(async backend =>
        {
            if (request.MaxFrames is < 1 || request.SnapLength < 1)
            {
                await context.Errors.WriteLineAsync("netlab capture: --count and --snaplen must be at least 1.").ConfigureAwait(false);
                return ExitCodes.CannotRun;
            }

            PcapWriter? pcap = null;
            long frames = 0;
            var exit = ExitCodes.Ok;
            string? ended = null;
            try
            {
                var items = backend.CaptureAsync(labName, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (items.ConfigureAwait(false))
                {
                    // The first item (Started) comes only once the agent's socket is bound; the file is made after it,
                    // so an unknown lab or interface leaves no empty file behind.
                    while (await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        var item = items.Current;
                        if (item.Started is not null && pcapFile is not null)
                        {
                            pcap = new PcapWriter(new FileStream(pcapFile.FullName, FileMode.Create, FileAccess.Write, FileShare.Read), request.SnapLength);
                            await pcap.FlushAsync(cancellationToken).ConfigureAwait(false);
                        }

                        if (context.Json)
                        {
                            await context.Output.WriteLineAsync(AgentJson.Serialize(item)).ConfigureAwait(false);
                        }

                        if (item.Frame is { } frame)
                        {
                            frames++;
                            if (pcap is not null)
                            {
                                await pcap.WriteFrameAsync(frame.At, frame.Data, frame.OriginalLength, cancellationToken).ConfigureAwait(false);
                            }

                            if (!context.Json)
                            {
                                await context.Output.WriteLineAsync(Line(frame)).ConfigureAwait(false);
                            }
                        }
                        else if (item.Started is not null && !context.Json)
                        {
                            await context.Errors.WriteLineAsync($"netlab capture: listening on {request.Element} {request.Interface} of lab {labName}{(pcapFile is null ? "" : $", writing {pcapFile.FullName}")}; Ctrl-C stops.").ConfigureAwait(false);
                        }
                        else if (item.Error is { } error)
                        {
                            await context.Errors.WriteLineAsync($"netlab capture: {error.Message}").ConfigureAwait(false);
                            return ExitCodes.KernelOrAgentError;
                        }
                        else if (item.Ended is { } reason)
                        {
                            ended = reason;
                        }

                        await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                        if (pcap is not null)
                        {
                            await pcap.FlushAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                // The stream ended without Ctrl-C: the agent ended the capture, and why is said, not swallowed.
                exit = await ReportEndAsync(context, request, frames, ended).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the way a capture ends; what was captured is kept.
            }
            finally
            {
                if (pcap is not null)
                {
                    await pcap.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (!context.Json)
            {
                await context.Errors.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"netlab capture: {frames} frame{(frames == 1 ? "" : "s")} captured{(pcapFile is null ? "" : $", written to {pcapFile.FullName}")}.")).ConfigureAwait(false);
            }

            return exit;
        });

    /// <summary>
    /// Why a capture the agent ended did end, on stderr, and its exit code: 0 when --count was reached (the agent's
    /// Ended line says so), 1 when the agent ended it before (its namespace was deleted by a destroy, or an apply removed
    /// the element: the Ended line says which), 3 when the stream stopped without a last line (the agent stopped or
    /// the connection broke). docs/cli.md lists the same.
    /// </summary>
    internal static async Task<int> ReportEndAsync(CommandContext context, CaptureRequest request, long frames, string? ended)
    {
        if (ended is not null && request.MaxFrames is { } wanted && frames >= wanted)
        {
            return ExitCodes.Ok;
        }

        if (ended is not null)
        {
            await context.Errors.WriteLineAsync($"netlab capture: the agent ended the capture: {ended}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await context.Errors.WriteLineAsync(
            $"netlab capture: the agent ended the capture without saying why (it stopped, or the connection to {context.SocketPath} broke); see the agent's log, and start the capture again once it runs.").ConfigureAwait(false);
        return ExitCodes.KernelOrAgentError;
    }

    /// <summary>tcpdump's shape: time, direction, then the decoded frame.</summary>
    internal static string Line(CapturedFrame frame) => string.Create(
        CultureInfo.InvariantCulture,
        $"{frame.At.ToLocalTime():HH:mm:ss.ffffff} {(frame.Outgoing ? "Out" : "In ")} {FrameDecoder.Decode(frame.Data).Text}");
}
