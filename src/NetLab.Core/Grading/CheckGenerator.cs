using NetLab.Core.Experiments;
using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Grading;

/// <summary>
/// Checks made from a lab, for an instructor to edit: what NetLab predicts of every ping, and the state of every
/// interface as the lab declares it. A template that teaches a failure (vepa without hairpin) thus gets "does not
/// reach" checks; an instructor who wants the student to fix it turns them into "reaches".
/// </summary>
public static class CheckGenerator
{
    /// <summary>
    /// One reachability check per predicted pair (<see cref="ConnectivityPredictor.Predict(Lab)"/>, in its order), then
    /// per host and namespace in lab order: each NIC's and interface's up (or down) state, each interface's kind (with
    /// its mode for macvlan and macvtap), each vlan's id and each address. NICs get no kind check: NetLab makes them
    /// veths whatever the student writes. The lab must be valid.
    /// </summary>
    public static ValueList<LabCheck> FromPredictions(Lab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var checks = new List<LabCheck>();
        checks.AddRange(ConnectivityPredictor.Predict(lab).Select(p => new ReachabilityCheck(p.From, p.Address, p.Reachable)));
        foreach (var definition in lab.InterfaceNamespaces)
        {
            if (definition is Host host)
            {
                foreach (var nic in host.Nics)
                {
                    AddAddressed(checks, host.Name, nic);
                }
            }

            foreach (var item in definition.Interfaces)
            {
                checks.Add(new InterfaceKindCheck(definition.Name, item.Name, item.Kind, (item as MacvlanFamilyInterface)?.Mode));
                if (item is VlanInterface vlan)
                {
                    checks.Add(new InterfaceVlanCheck(definition.Name, item.Name, vlan.Id));
                }

                AddAddressed(checks, definition.Name, item);
            }
        }

        return checks.ToValueList();
    }

    /// <summary>The document an instructor starts from: the lab's name and its generated checks.</summary>
    public static ChecksDocument DocumentFor(Lab lab) => new() { Lab = lab.Name, Checks = FromPredictions(lab) };

    private static void AddAddressed(List<LabCheck> checks, string element, IAddressed item)
    {
        checks.Add(new InterfaceUpCheck(element, item.Name, item.Up));
        checks.AddRange(item.Addresses.Select(a => new InterfaceAddressCheck(element, item.Name, InterfaceAddress.Parse(a))));
    }
}
