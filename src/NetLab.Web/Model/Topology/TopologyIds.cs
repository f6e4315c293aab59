using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Web.Model.Topology;

/// <summary>
/// Canvas ids: an element is its name (unique in a lab), a port, NIC or interface is <c>ELEMENT/NAME</c>, the same
/// form a lab file uses for references across namespaces.
/// </summary>
public static class TopologyIds
{
    public static string Of(string element, string name) => $"{element}/{name}";

    /// <summary>(element, interface) of an item id; the interface is null for an element's id.</summary>
    public static (string Element, string? Name) Split(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (id, null) : (id[..slash], id[(slash + 1)..]);
    }

    /// <summary>The id of the interface a reference written in <paramref name="owner"/> names, when it exists.</summary>
    public static string? Resolve(Lab lab, NamespaceDefinition owner, string reference)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(owner);
        var parsed = InterfaceReference.Parse(reference, owner.Name);
        var target = lab.FindNamespace(parsed.Namespace);
        return target is not null && target.InterfaceNames.Contains(parsed.Interface) ? Of(target.Name, parsed.Interface) : null;
    }

    /// <summary>
    /// Which canvas element each problem belongs to, from its path: <c>namespaces.ns2.interfaces.macvlan2.parent</c>
    /// marks <c>ns2/macvlan2</c>, <c>hosts.h1</c> marks <c>h1</c>. Interface names may hold dots (eth0.888), so the
    /// name is matched against the element's own names rather than split off.
    /// </summary>
    internal static ProblemMarks MarksOf(Lab lab, IReadOnlyList<Problem> problems)
    {
        var marks = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var problem in problems)
        {
            if (IdOf(lab, problem.Path) is { } id)
            {
                if (!marks.TryGetValue(id, out var list))
                {
                    marks[id] = list = [];
                }

                list.Add(string.IsNullOrEmpty(problem.Hint) ? problem.Message : $"{problem.Message}. {problem.Hint}");
            }
        }

        return new ProblemMarks(marks);
    }

    /// <summary>The canvas id a problem path points into, or null for lab-wide problems (name, description).</summary>
    public static string? IdOf(Lab lab, string path)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(path);
        foreach (var (section, names, items) in Sections(lab))
        {
            var sectionPrefix = section + ".";
            if (!path.StartsWith(sectionPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = path[sectionPrefix.Length..];
            foreach (var element in names)
            {
                if (rest != element && !rest.StartsWith(element + ".", StringComparison.Ordinal))
                {
                    continue;
                }

                var inside = rest.Length > element.Length ? rest[(element.Length + 1)..] : "";
                foreach (var (list, itemNames) in items(element))
                {
                    var listPrefix = list + ".";
                    if (!inside.StartsWith(listPrefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var itemPath = inside[listPrefix.Length..];
                    var item = itemNames.Where(n => itemPath == n || itemPath.StartsWith(n + ".", StringComparison.Ordinal)
                            || itemPath.StartsWith(n + "[", StringComparison.Ordinal))
                        .OrderByDescending(n => n.Length).FirstOrDefault();
                    if (item is not null)
                    {
                        return Of(element, item);
                    }
                }

                return element;
            }
        }

        return null;
    }

    private static IEnumerable<(string Section, IEnumerable<string> Names, Func<string, IEnumerable<(string List, IEnumerable<string> Names)>> Items)> Sections(Lab lab)
    {
        yield return ("switches", lab.Switches.Select(s => s.Name),
            name => [("ports", lab.FindSwitch(name)?.Ports.Select(p => p.Name) ?? [])]);
        yield return ("hosts", lab.Hosts.Select(h => h.Name), name =>
        {
            var host = lab.Hosts.FirstOrDefault(h => h.Name == name);
            return [("nics", host?.Nics.Select(n => n.Name) ?? []), ("interfaces", host?.Interfaces.Select(i => i.Name) ?? [])];
        });
        yield return ("namespaces", lab.Namespaces.Select(n => n.Name),
            name => [("interfaces", lab.Namespaces.FirstOrDefault(n => n.Name == name)?.Interfaces.Select(i => i.Name) ?? [])]);
    }
}

/// <summary>Problem messages by canvas id.</summary>
internal sealed class ProblemMarks(Dictionary<string, List<string>> marks)
{
    public IReadOnlyList<string> Of(string id) => marks.TryGetValue(id, out var list) ? list : [];
}
