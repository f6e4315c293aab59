using System.Globalization;
using System.Text;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;

namespace NetLab.Cli.Output;

/// <summary>The text the commands print by default, for people; --json prints the API objects instead.</summary>
internal static class Readable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One problem per entry: "file:line:col: path: message", then its hint indented.</summary>
    public static void WriteProblems(TextWriter writer, string? file, IReadOnlyList<Problem> problems)
    {
        foreach (var problem in problems)
        {
            var where = (file, problem.Location) switch
            {
                ({ } f, { } l) => $"{f}:{l.Line}:{l.Column}: ",
                ({ } f, null) => $"{f}: ",
                (null, { } l) => $"line {l.Line}, column {l.Column}: ",
                _ => "",
            };
            writer.WriteLine($"{where}{problem.Path}: {problem.Message}");
            if (!string.IsNullOrEmpty(problem.Hint))
            {
                writer.WriteLine($"    hint: {problem.Hint}");
            }
        }
    }

    public static void WritePlan(TextWriter writer, PlanView plan)
    {
        writer.WriteLine($"Plan for lab {plan.Lab}: {Count(plan.Operations.Count, "operation")}.");
        var width = plan.Operations.Count.ToString(Invariant).Length;
        foreach (var operation in plan.Operations)
        {
            writer.WriteLine($"  {(operation.Index + 1).ToString(Invariant).PadLeft(width)}. {operation.Command}");
            writer.WriteLine($"  {new string(' ', width)}  ({operation.Kind} for {operation.Source})");
        }

        foreach (var warning in plan.Unsupported)
        {
            writer.WriteLine($"warning: {warning.Source}: {warning.Kind}: {warning.Message}");
        }
    }

    /// <summary>A line per finished, failed or undone operation (a started one prints nothing: its end follows).</summary>
    public static void WriteProgress(TextWriter writer, OperationProgress progress)
    {
        var position = $"[{(progress.Index + 1).ToString(Invariant).PadLeft(progress.Total.ToString(Invariant).Length)}/{progress.Total.ToString(Invariant)}]";
        switch (progress.Status)
        {
            case OperationStatus.Done:
                writer.WriteLine($"{position} {Milliseconds(progress.Milliseconds),10}  {progress.Operation.Command}");
                break;
            case OperationStatus.Failed:
                writer.WriteLine($"{position} {"FAILED",10}  {progress.Operation.Command}");
                writer.WriteLine($"{new string(' ', position.Length + 12)}{progress.Error}");
                break;
            case OperationStatus.RolledBack:
                writer.WriteLine($"{position} {"undone",10}  {progress.Operation.Command}");
                break;
            default:
                break;
        }
    }

    /// <summary>The outcome; for a failure, the failing operation, its lab element, the kernel's words and whether it was rolled back.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="result">The stream's last item.</param>
    /// <param name="verb">"applied" or "destroyed".</param>
    public static void WriteResult(TextWriter writer, ApplyResult result, string verb)
    {
        if (result.Succeeded)
        {
            writer.WriteLine($"Lab {result.Lab} {verb}: {result.Applied} of {Count(result.Total, "operation")} in {Milliseconds(result.Milliseconds)}.");
            foreach (var warning in result.Warnings ?? [])
            {
                writer.WriteLine($"  warning: {warning}");
            }

            return;
        }

        writer.WriteLine($"Lab {result.Lab} was not {verb}: {result.Applied} of {Count(result.Total, "operation")} done before the failure.");
        if (result.Failure is { } failure)
        {
            writer.WriteLine($"  failed operation: {failure.Operation.Command}");
            writer.WriteLine($"  lab element:      {failure.Operation.Source}");
            var kernel = failure.KernelMessage ?? failure.Message;
            writer.WriteLine($"  kernel says:      {kernel}{(failure.Errno is null ? "" : $" ({failure.Errno})")}");
            if (failure.KernelMessage is not null && failure.Message != failure.KernelMessage)
            {
                writer.WriteLine($"  in detail:        {failure.Message}");
            }
        }

        writer.WriteLine(result.RolledBack
            ? "  rolled back:      yes, what this run made was removed again"
            : "  rolled back:      no, what was done before the failure is still there (see `netlab state`)");
    }

    public static void WriteStates(TextWriter writer, IReadOnlyList<LabState> labs)
    {
        if (labs.Count == 0)
        {
            writer.WriteLine("The kernel holds no NetLab lab.");
            return;
        }

        foreach (var lab in labs)
        {
            writer.WriteLine($"lab {lab.Lab}");
            foreach (var space in lab.Namespaces)
            {
                writer.WriteLine($"  {space.Element} (namespace {space.KernelName})");
                var rows = new List<string[]> { new[] { "INTERFACE", "KIND/MODE", "PARENT", "UP/OPER/CARRIER", "MAC", "ADDRESSES" } };
                rows.AddRange(space.Interfaces.Select(i => new[] { i.Name, KindOf(i), ParentOf(i), StateOf(i), i.Mac ?? "-", i.Addresses.Count == 0 ? "-" : string.Join(' ', i.Addresses) }));
                WriteTable(writer, "    ", rows);
            }
        }
    }

    public static string Event(LabEvent e)
    {
        var text = new StringBuilder($"{e.At.ToLocalTime():HH:mm:ss.fff}  {e.Element}  ");
        text.Append(e.Kind switch
        {
            LabEventKind.Snapshot => $"snapshot: {string.Join(", ", e.Snapshot?.Interfaces.Select(i => $"{i.Name} {StateOf(i)}{(i.Addresses.Count == 0 ? "" : " " + string.Join(' ', i.Addresses))}") ?? [])}",
            LabEventKind.InterfaceChanged when e.Interface is { } i => $"{i.Name} changed: {StateOf(i)}{(i.Mtu is { } mtu ? $" mtu {mtu}" : "")}{(i.Mac is null ? "" : $" {i.Mac}")}",
            LabEventKind.InterfaceRemoved => $"{e.InterfaceName ?? e.Interface?.Name} removed",
            LabEventKind.AddressAdded => $"{e.InterfaceName} address {e.Address} added",
            LabEventKind.AddressRemoved => $"{e.InterfaceName} address {e.Address} removed",
            LabEventKind.Resync => "resync: events were lost; a fresh snapshot follows",
            _ => e.Kind.ToString(),
        });
        if (e.Message is not null)
        {
            text.Append($" ({e.Message})");
        }

        return text.ToString();
    }

    private static string KindOf(InterfaceState i)
    {
        var kind = i.Kind ?? "-";
        if (i.Mode is not null)
        {
            kind += $"/{i.Mode}";
        }

        return i.VlanId is { } id ? $"{kind} id {id.ToString(Invariant)}" : kind;
    }

    private static string ParentOf(InterfaceState i) => (i.Parent, i.Master) switch
    {
        (null, null) => "-",
        ({ } parent, null) => parent,
        (null, { } master) => $"master {master}",
        ({ } parent, { } master) => $"{parent} master {master}",
    };

    private static string StateOf(InterfaceState i) =>
        $"{(i.Up ? "up" : "down")}/{i.OperState}/{i.Carrier switch { true => "carrier", false => "no-carrier", null => "-" }}";

    internal static void WriteTable(TextWriter writer, string indent, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            writer.WriteLine((indent + string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c])))).TrimEnd());
        }
    }

    private static string Milliseconds(double ms) => string.Create(Invariant, $"{ms:0.0} ms");

    private static string Count(int n, string noun) => string.Create(Invariant, $"{n} {noun}{(n == 1 ? "" : "s")}");
}
