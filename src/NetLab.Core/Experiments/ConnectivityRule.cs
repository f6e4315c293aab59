namespace NetLab.Core.Experiments;

/// <summary>Where a ping that fails stops, so that an observation (was the neighbour answered?) can be compared with it.</summary>
public enum FailureLayer
{
    /// <summary>The ping is expected to get its reply.</summary>
    None,

    /// <summary>A ping to one's own address, which never leaves the namespace: it goes through lo.</summary>
    Loopback,

    /// <summary>No route: the echo is never sent ("Network is unreachable"), so no neighbour is asked.</summary>
    Route,

    /// <summary>Layer 2: frames do not get from one end to the other, so ARP (or neighbour discovery) goes unanswered.</summary>
    Link,

    /// <summary>Layer 3: the neighbour answers, but the echo reply cannot come back.</summary>
    Network,
}

/// <summary>One row of docs/connectivity-rules.md: a reason a ping between two points of a lab works or fails.</summary>
/// <param name="Id">The id shown beside each prediction and used in the documentation table.</param>
/// <param name="Reachable">The outcome the rule predicts.</param>
/// <param name="Layer">Where the ping stops when it fails.</param>
public sealed record ConnectivityRule(string Id, bool Reachable, FailureLayer Layer);

/// <summary>
/// Every rule the predictor can decide by. docs/connectivity-rules.md documents each one (when it applies, outcome,
/// reason, fix); a test keeps the two lists equal.
/// </summary>
public static class ConnectivityRules
{
    public static ConnectivityRule OwnAddressLoopbackUp { get; } = new("own-address-lo-up", true, FailureLayer.None);

    public static ConnectivityRule OwnAddressLoopbackDown { get; } = new("own-address-lo-down", false, FailureLayer.Loopback);

    public static ConnectivityRule NoRoute { get; } = new("no-route", false, FailureLayer.Route);

    public static ConnectivityRule SourceDown { get; } = new("source-interface-down", false, FailureLayer.Route);

    public static ConnectivityRule TargetDown { get; } = new("target-interface-down", false, FailureLayer.Link);

    public static ConnectivityRule NoReturnRoute { get; } = new("no-return-route", false, FailureLayer.Network);

    public static ConnectivityRule ParentDown { get; } = new("parent-down", false, FailureLayer.Link);

    public static ConnectivityRule NoCarrier { get; } = new("no-carrier", false, FailureLayer.Link);

    public static ConnectivityRule MacvlanBridge { get; } = new("macvlan-bridge", true, FailureLayer.None);

    public static ConnectivityRule MacvlanPrivate { get; } = new("macvlan-private", false, FailureLayer.Link);

    public static ConnectivityRule MacvlanVepaNoHairpin { get; } = new("macvlan-vepa-no-hairpin", false, FailureLayer.Link);

    public static ConnectivityRule MacvlanVepaHairpin { get; } = new("macvlan-vepa-hairpin", true, FailureLayer.None);

    public static ConnectivityRule MacvlanParentNoHairpin { get; } = new("macvlan-parent-no-hairpin", false, FailureLayer.Link);

    public static ConnectivityRule MacvlanParentHairpin { get; } = new("macvlan-parent-hairpin", true, FailureLayer.None);

    public static ConnectivityRule MacvlanPrivateToParent { get; } = new("macvlan-private-to-parent", false, FailureLayer.Link);

    public static ConnectivityRule MacvlanPassthruParent { get; } = new("macvlan-passthru-parent", false, FailureLayer.Link);

    public static ConnectivityRule MacvlanSourceFiltered { get; } = new("macvlan-source-filtered", false, FailureLayer.Link);

    public static ConnectivityRule VlanMismatch { get; } = new("vlan-mismatch", false, FailureLayer.Link);

    public static ConnectivityRule NotConnected { get; } = new("not-connected", false, FailureLayer.Link);

    public static ConnectivityRule Connected { get; } = new("connected", true, FailureLayer.None);

    public static IReadOnlyList<ConnectivityRule> All { get; } =
    [
        OwnAddressLoopbackUp, OwnAddressLoopbackDown, NoRoute, SourceDown, TargetDown, NoReturnRoute, ParentDown, NoCarrier,
        MacvlanBridge, MacvlanPrivate, MacvlanVepaNoHairpin, MacvlanVepaHairpin, MacvlanParentNoHairpin, MacvlanParentHairpin,
        MacvlanPrivateToParent, MacvlanPassthruParent, MacvlanSourceFiltered, VlanMismatch, NotConnected, Connected,
    ];

    public static ConnectivityRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
