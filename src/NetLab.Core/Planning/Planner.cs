using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Core.Planning;

/// <summary>
/// Computes the ordered operations that take the kernel from what is observed to what a lab wants: deletions first
/// (children before parents, then namespaces), then namespaces, then links parents-first (create, move, MAC, MTU,
/// addresses, up), then bridge ports and hairpin. It touches only what differs: applying a lab twice gives an empty
/// second plan. Only the lab's own namespaces (by <see cref="NamingScheme"/>) are ever touched.
/// </summary>
public static class Planner
{
    /// <summary>Plans a lab. An invalid lab throws <see cref="InvalidLabException"/> before any operation exists.</summary>
    public static Plan Plan(ObservedState observed, Lab lab, NamingScheme? naming = null)
    {
        naming ??= NamingScheme.Default;
        LabValidator.EnsureValid(lab, naming);
        return Plan(observed, DesiredState.From(lab, naming), lab.Name, naming);
    }

    /// <summary>Plans the removal of everything a lab made.</summary>
    public static Plan PlanRemoval(ObservedState observed, string labName, NamingScheme? naming = null) =>
        Plan(observed, DesiredState.Empty, labName, naming ?? NamingScheme.Default);

    public static ObservedState Simulate(ObservedState observed, Plan plan) => PlanSimulator.Simulate(observed, plan);

    public static Plan Plan(ObservedState observed, DesiredState desired, string labName, NamingScheme naming) =>
        new Run(observed, desired, labName, naming).Build();

    private sealed class Run(ObservedState observed, DesiredState desired, string labName, NamingScheme naming)
    {
        private readonly KernelModel _current = new(observed);
        private readonly List<PlanOperation> _operations = [];

        private void Emit(PlanOperation operation)
        {
            _current.Apply(operation);
            _operations.Add(operation);
        }

        private string RemovalSource(LinkReference reference) =>
            $"{naming.ElementName(reference.Namespace, labName) ?? reference.Namespace}/{reference.Name}";

        public Plan Build()
        {
            DeleteWhatMustGo();
            CreateNamespaces();
            ReleaseUnwantedPorts();
            CreateAndConfigureLinks();
            ConnectBridgePorts();
            return new Plan(_operations.ToValueList(), labName, naming);
        }

        private void DeleteWhatMustGo()
        {
            var owned = observed.Namespaces.Where(n => naming.BelongsTo(n.Name, labName)).ToList();
            var goingNamespaces = owned.Where(n => desired.State.Namespace(n.Name) is null).Select(n => n.Name).ToHashSet();
            var doomed = new HashSet<LinkReference>();
            foreach (var (reference, link) in observed.AllLinks)
            {
                if (!naming.BelongsTo(reference.Namespace, labName) || goingNamespaces.Contains(reference.Namespace) || link.Spec.IsLoopback)
                {
                    continue;
                }

                if (desired.State.Link(reference) is not { } wanted || wanted.Spec != link.Spec)
                {
                    doomed.Add(reference);
                }
            }

            // What the kernel will delete along with a doomed link (or namespace) must be planned for too.
            bool grew;
            do
            {
                grew = false;
                foreach (var (reference, link) in observed.AllLinks)
                {
                    if (doomed.Contains(reference) || !naming.BelongsTo(reference.Namespace, labName) || goingNamespaces.Contains(reference.Namespace))
                    {
                        continue;
                    }

                    if (new[] { link.Spec.Parent, link.Spec.Peer }.Any(d => d is not null && (doomed.Contains(d) || goingNamespaces.Contains(d.Namespace))))
                    {
                        grew |= doomed.Add(reference);
                    }
                }
            }
            while (grew);

            foreach (var reference in doomed.OrderByDescending(r => Depth(r, 0)).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal))
            {
                if (_current.Link(reference) is not null)
                {
                    Emit(new DeleteLink(reference.Namespace, reference.Name) { Source = RemovalSource(reference) });
                }
            }

            foreach (var name in owned.Select(n => n.Name).Where(goingNamespaces.Contains).Reverse())
            {
                Emit(new DeleteNamespace(name) { Source = naming.ElementName(name, labName) ?? name });
            }
        }

        private int Depth(LinkReference reference, int guard) =>
            guard < 64 && observed.Link(reference)?.Spec.Parent is { } parent ? 1 + Depth(parent, guard + 1) : 0;

        private void CreateNamespaces()
        {
            foreach (var @namespace in desired.Namespaces)
            {
                if (!_current.HasNamespace(@namespace.Name))
                {
                    Emit(new CreateNamespace(@namespace.Name) { Source = @namespace.Source });
                }

                if (_current.Link(new(@namespace.Name, "lo")) is { } loopback && loopback.Up != @namespace.LoopbackUp)
                {
                    Emit(new SetLoopback(@namespace.Name, @namespace.LoopbackUp) { Source = $"{@namespace.Source}.loopback" });
                }
            }
        }

        /// <summary>A port that must leave its bridge leaves first, so that it can become a macvlan parent in this plan.</summary>
        private void ReleaseUnwantedPorts()
        {
            foreach (var wanted in desired.Links)
            {
                if (wanted.Link.Master is null && _current.Link(wanted.Reference) is { Master: not null })
                {
                    Emit(new SetMaster(wanted.Reference.Namespace, wanted.Reference.Name, null) { Source = wanted.Source });
                }
            }
        }

        private void CreateAndConfigureLinks()
        {
            foreach (var wanted in desired.Links)
            {
                var (ns, name) = (wanted.Reference.Namespace, wanted.Reference.Name);
                var source = wanted.Source;
                if (_current.Link(wanted.Reference) is null)
                {
                    Emit(new CreateLink(wanted.CreateIn, name, wanted.Link.Spec) { Source = source });
                    if (wanted.CreateIn != ns)
                    {
                        Emit(new MoveLink(wanted.CreateIn, name, ns) { Source = source });
                    }
                }

                var current = _current.Link(wanted.Reference)!;
                if (wanted.Link.Mac is { } mac && current.Mac != mac)
                {
                    Emit(new SetMac(ns, name, mac) { Source = source });
                }

                if (wanted.Link.Mtu is { } mtu && current.Mtu != mtu)
                {
                    Emit(new SetMtu(ns, name, mtu) { Source = source });
                }

                // A port joins its bridge as soon as both exist, so the commands read as a student would do it.
                if (wanted.Link.Master is { } master && current.Master != master && _current.Link(new(ns, master)) is not null)
                {
                    ConnectPort(wanted);
                }

                foreach (var address in current.Addresses.Where(a => !wanted.Link.Addresses.Contains(a) && !a.IsIPv6LinkLocal))
                {
                    Emit(new DeleteAddress(ns, name, address) { Source = source });
                }

                foreach (var address in wanted.Link.Addresses.Where(a => !current.Addresses.Contains(a)))
                {
                    Emit(new AddAddress(ns, name, address) { Source = source });
                }

                if (wanted.Link.Up != current.Up)
                {
                    Emit(wanted.Link.Up ? new SetLinkUp(ns, name) { Source = source } : new SetLinkDown(ns, name) { Source = source });
                }
            }
        }

        private void ConnectBridgePorts()
        {
            foreach (var wanted in desired.Links)
            {
                ConnectPort(wanted);
            }
        }

        private void ConnectPort(DesiredLink wanted)
        {
            var (ns, name) = (wanted.Reference.Namespace, wanted.Reference.Name);
            if (wanted.Link.Master is { } master && _current.Link(wanted.Reference)!.Master != master)
            {
                Emit(new SetMaster(ns, name, master) { Source = wanted.Source });
            }

            if (wanted.Link.Hairpin is { } hairpin && _current.Link(wanted.Reference)!.Hairpin != hairpin)
            {
                Emit(new SetHairpin(ns, name, hairpin) { Source = wanted.Source });
            }
        }
    }
}
