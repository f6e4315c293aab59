using System.Net;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Validation;

namespace NetLab.Core.Grading;

/// <summary>
/// Checks a checks document against the lab it grades: every element, interface and address it names must be the
/// lab's, and no check may be given twice. Every problem at once, each saying what the lab has instead, so the
/// instructor can fix the check (or the lab). Checks whose expectation the lab does not meet are not problems: a
/// template may deliberately fail a check until the student fixes it.
/// </summary>
public static class ChecksValidator
{
    /// <summary>How many names a problem lists before it says "and N more".</summary>
    private const int NamesShown = 12;

    public static IReadOnlyList<Problem> Validate(ChecksDocument document, Lab lab)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(lab);
        var problems = new List<Problem>();
        if (document.Lab is { } name && name != lab.Name)
        {
            problems.Add(new Problem("lab", $"the checks were written for lab '{name}', not '{lab.Name}'",
                $"Grade lab '{name}' with them, or set `lab: {lab.Name}` if they fit this lab"));
        }

        if (document.Checks.Count > ChecksFormat.MaxChecks)
        {
            // A document made in memory (generated from a large lab) is held to the file's limit, so what validates saves and reads back.
            problems.Add(new Problem($"checks[{ChecksFormat.MaxChecks}]",
                $"there are {document.Checks.Count} checks; a checks document may hold at most {ChecksFormat.MaxChecks}",
                "Keep the checks that grade what the assignment teaches: the pairs between the elements it is about, and their interfaces' state"));
        }

        var addresses = LabAddresses(lab);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < document.Checks.Count; i++)
        {
            var check = document.Checks[i];
            var path = $"checks[{i}]";
            if (!seen.TryAdd(check.Id, i))
            {
                problems.Add(new Problem(path, $"'{check.Text}' checks what checks[{seen[check.Id]}] already checks (id {check.Id})",
                    "Keep one of them"));
                continue;
            }

            switch (check)
            {
                case ReachabilityCheck ping:
                    ValidatePing(lab, ping, addresses, path, problems);
                    break;
                case InterfaceCheck state:
                    ValidateInterface(lab, state, path, problems);
                    break;
            }
        }

        return problems;
    }

    private static void ValidatePing(Lab lab, ReachabilityCheck ping, IReadOnlyList<(string Element, string Interface, IPAddress Address)> addresses, string path, List<Problem> problems)
    {
        if (lab.FindNamespace(ping.From) is null)
        {
            problems.Add(lab.FindSwitch(ping.From) is not null
                ? new Problem($"{path}.from", $"'{ping.From}' is a switch; a switch holds no address and sends no ping",
                    $"Ping from a host or namespace of the lab: {Names(lab.InterfaceNamespaces.Select(n => n.Name))}")
                : new Problem($"{path}.from", $"lab '{lab.Name}' has no host or namespace '{ping.From}'",
                    $"Use one of: {Names(lab.InterfaceNamespaces.Select(n => n.Name))}"));
        }

        var target = IPAddress.Parse(ping.Address);
        if (!addresses.Any(a => a.Address.Equals(target)))
        {
            problems.Add(new Problem($"{path}.{(ping.Reachable ? "reaches" : "doesNotReach")}",
                $"{ping.Address} is no address of lab '{lab.Name}', so no interface answers it and NetLab cannot explain the outcome",
                addresses.Count == 0
                    ? "The lab has no addresses: give its interfaces addresses first"
                    : $"Use one of the lab's addresses: {Names(addresses.Select(a => $"{a.Address} ({a.Element}/{a.Interface})"))}"));
        }
    }

    private static void ValidateInterface(Lab lab, InterfaceCheck check, string path, List<Problem> problems)
    {
        var interfaces = InterfacesOf(lab, check.Element);
        if (interfaces is null)
        {
            problems.Add(new Problem($"{path}.interface", $"lab '{lab.Name}' has no element '{check.Element}'",
                $"Use one of its hosts, namespaces or switches: {Names(lab.Switches.Select(s => s.Name).Concat(lab.InterfaceNamespaces.Select(n => n.Name)))}"));
            return;
        }

        if (!interfaces.Contains(check.Interface))
        {
            problems.Add(new Problem($"{path}.interface", $"{check.Element} has no interface '{check.Interface}' in lab '{lab.Name}'",
                $"Use one of {check.Element}'s interfaces: {Names(interfaces)}"));
        }
    }

    /// <summary>
    /// The interfaces an element has in the kernel once applied, by their lab names: lo in every host and namespace,
    /// a host's NICs and interfaces; a switch's bridge and ports. Null when the lab has no such element.
    /// </summary>
    internal static IReadOnlyList<string>? InterfacesOf(Lab lab, string element)
    {
        if (lab.FindNamespace(element) is { } definition)
        {
            return ["lo", .. definition.InterfaceNames];
        }

        return lab.FindSwitch(element) is { } @switch ? [Switch.BridgeName, .. @switch.Ports.Select(p => p.Name)] : null;
    }

    private static List<(string Element, string Interface, IPAddress Address)> LabAddresses(Lab lab) =>
    [
        .. lab.InterfaceNamespaces.SelectMany(definition =>
            (definition is Host host ? host.Nics.Cast<IAddressed>() : [])
                .Concat(definition.Interfaces)
                .SelectMany(i => i.Addresses.Where(a => InterfaceAddress.TryParse(a, out _))
                    .Select(a => (definition.Name, i.Name, InterfaceAddress.Parse(a).Address)))),
    ];

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "(none)"
            : list.Count <= NamesShown ? string.Join(", ", list)
            : $"{string.Join(", ", list.Take(NamesShown))} and {list.Count - NamesShown} more";
    }
}
