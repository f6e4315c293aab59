namespace NetLab.Netlink.Benchmarks;

/// <summary>One way of building and removing lab namespaces: NetLab.Netlink or the seed's `ip` commands.</summary>
internal interface IBenchmarkSide
{
    string Name { get; }

    /// <summary>Builds one namespace completely: macvlan inside, address on it, macvlan and lo up.</summary>
    void Create(LabMember member, StepTimes steps);

    /// <summary>Removes the namespace's name; the kernel destroys the namespace and its macvlan after that.</summary>
    void Delete(LabMember member, StepTimes steps);
}
