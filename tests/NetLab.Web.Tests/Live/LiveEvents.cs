using NetLab.Web.Agent;
using NetLab.Web.Store;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Tests.Live;

/// <summary>Events and interfaces as the agent sends them, with the fields each test cares about.</summary>
public static class LiveEvents
{
    public const string DemoLab = "demo";

    /// <summary>The demo lab as the web asks the agent about it: acting for its owner, the store's pre-accounts user.</summary>
    public static readonly OwnedKernelLab Demo = new(DemoLab, LabStore.LocalUserId);

    public static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static InterfaceState Interface(
        string name,
        int index,
        string operState = "up",
        bool? carrier = true,
        string? parent = null,
        IReadOnlyList<string>? addresses = null,
        ulong rx = 0,
        ulong tx = 0) =>
        new(name, index, "macvlan", "bridge", null, parent, $"02:00:00:00:00:{index:x2}", 1500, operState != "down", operState, carrier, addresses ?? [], null, null, rx, tx, 0, 0);

    public static LabEvent Snapshot(string element, params InterfaceState[] interfaces) =>
        new(LabEventKind.Snapshot, DemoLab, element, At, Snapshot: new NamespaceState(element, $"nl-{DemoLab}-{element}", interfaces));

    /// <summary>A link change as the agent may send it: never addresses, and here no parent or master (it names them only when it can).</summary>
    public static LabEvent Changed(string element, InterfaceState link) =>
        new(LabEventKind.InterfaceChanged, DemoLab, element, At, Interface: link with { Addresses = [], Parent = null, Master = null }, InterfaceName: link.Name);

    public static LabEvent Removed(string element, string name) => new(LabEventKind.InterfaceRemoved, DemoLab, element, At, InterfaceName: name);

    public static LabEvent AddressAdded(string element, string name, string address) => new(LabEventKind.AddressAdded, DemoLab, element, At, InterfaceName: name, Address: address);

    public static LabEvent AddressRemoved(string element, string name, string address) => new(LabEventKind.AddressRemoved, DemoLab, element, At, InterfaceName: name, Address: address);

    public static LabEvent Resync(string element, string message = "events were lost") => new(LabEventKind.Resync, DemoLab, element, At, Message: message);
}
