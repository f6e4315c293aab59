using System.Globalization;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Cli.Output;

/// <summary>
/// A connectivity check as text: a matrix (sources down, targets across) when it fits a terminal, then every pair
/// that failed with the reason the observation gives (no route, own address, ARP unanswered, no echo reply).
/// </summary>
internal static class ProbeOutput
{
    /// <summary>More targets than this make the matrix too wide for a terminal; the summary per source replaces it.</summary>
    public const int MaxMatrixColumns = 10;

    public static void Write(TextWriter writer, ProbeReport report)
    {
        var failed = report.Results.Where(r => !r.Replied).ToList();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lab {report.Lab}: {report.Results.Count} pairs, {report.Results.Count - failed.Count} replied, {failed.Count} failed ({report.Milliseconds:0} ms{WavesNote(report)})"));
        if (report.Results.Count == 0)
        {
            writer.WriteLine("  nothing to probe: the lab has no address, or no host or namespace to ping from");
            return;
        }

        var targets = report.Results.Select(r => (r.To, r.ToInterface, r.Address)).Distinct().ToList();
        var sources = report.Results.Select(r => r.From).Distinct().ToList();
        writer.WriteLine();
        if (targets.Count <= MaxMatrixColumns)
        {
            var rows = new List<string[]>
            {
                new[] { "FROM \\ TO" }.Concat(targets.Select(t => $"{t.To}/{t.ToInterface}")).ToArray(),
                new[] { "" }.Concat(targets.Select(t => t.Address)).ToArray(),
            };
            rows.AddRange(sources.Select(source => new[] { source }
                .Concat(targets.Select(t => report.Results.FirstOrDefault(r => r.From == source && r.Address == t.Address && r.To == t.To && r.ToInterface == t.ToInterface) is { } pair ? Cell(pair) : "-"))
                .ToArray()));
            Readable.WriteTable(writer, "  ", rows);
            writer.WriteLine();
            writer.WriteLine("  ok: echo reply (round trip)   no-arp: ARP/ND unanswered (layer 2)   no-reply: ARP answered, no echo reply (layer 3)");
            writer.WriteLine("  local: own address, no reply (goes through lo)   no-route: nothing to send it on   not-sent: the send failed (see below)");
        }
        else
        {
            var rows = new List<string[]> { new[] { "FROM", "REPLIED", "FAILED" } };
            rows.AddRange(sources.Select(source =>
            {
                var mine = report.Results.Where(r => r.From == source).ToList();
                var replied = mine.Count(r => r.Replied);
                return new[] { source, replied.ToString(CultureInfo.InvariantCulture), (mine.Count - replied).ToString(CultureInfo.InvariantCulture) };
            }));
            Readable.WriteTable(writer, "  ", rows);
        }

        if (failed.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("failed:");
            foreach (var pair in failed)
            {
                writer.WriteLine($"  {pair.From} -> {pair.Address} ({pair.To}/{pair.ToInterface}): {Reason(pair)}");
            }
        }
    }

    /// <summary>Said only when the check had to take turns, so the usual one-shot line stays as it was.</summary>
    private static string WavesNote(ProbeReport report) => report.Waves > 1
        ? string.Create(CultureInfo.InvariantCulture, $", in {report.Waves} waves of sources to fit the kernel's neighbour table")
        : "";

    /// <summary>A matrix cell: "ok 0.05 ms", or the failure's short name.</summary>
    public static string Cell(ProbeResult pair) => pair switch
    {
        { Replied: true, RttMilliseconds: { } rtt } => string.Create(CultureInfo.InvariantCulture, $"ok {rtt:0.00} ms"),
        { Replied: true } => "ok",
        _ when IsNoRoute(pair) => "no-route",
        { Neighbor: NeighborOutcome.NotNeeded, Error: not null } => "not-sent",
        { Neighbor: NeighborOutcome.NotNeeded } => "local",
        { Neighbor: NeighborOutcome.Unanswered } => "no-arp",
        _ => "no-reply",
    };

    private static string Reason(ProbeResult pair)
    {
        var reason = pair switch
        {
            _ when IsNoRoute(pair) => "no route to this address from here",
            { Neighbor: NeighborOutcome.NotNeeded, Error: not null } => "the echo could not be sent",
            { Neighbor: NeighborOutcome.NotNeeded } => "no reply to its own address (a ping to oneself goes through lo: is lo up?)",
            { Neighbor: NeighborOutcome.Unanswered } => "ARP/neighbour discovery got no answer: the frames never reached the target, or its answer never came back (layer 2)",
            _ => "ARP was answered but no echo reply came (layer 3)",
        };
        return pair.Error is null ? reason : $"{reason}; the kernel said: {pair.Error}";
    }

    private static bool IsNoRoute(ProbeResult pair) => pair.Error?.Contains("ENETUNREACH", StringComparison.Ordinal) == true;
}
