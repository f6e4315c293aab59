using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetLab.Core.Links;
using NetLab.Netlink.Namespaces;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Links;

/// <summary>
/// Encodes link requests byte for byte as iproute2 6.1 does (tests compare with captured `ip` requests), and
/// parses RTM_NEWLINK replies and events back into <see cref="Link"/> records.
/// </summary>
internal static class LinkMessages
{
    private const ushort CreateFlags = Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL;
    private const ushort ChangeFlags = Nl.NLM_F_REQUEST | Nl.NLM_F_ACK;

    /// <summary>`ip link add [link PARENT] name NAME [netns NS] type KIND ...`.</summary>
    public static MessageWriter Create(Link link, int fdOfTarget, int fdOfPeerTarget)
    {
        var writer = new MessageWriter(Rtm.RTM_NEWLINK, CreateFlags);
        writer.IfInfo(Rtm.AF_UNSPEC, link.Index, LinkFlags.None, LinkFlags.None);
        if (link.ParentIndex is { } parent && link is not Veth)
        {
            writer.U32(Ifla.IFLA_LINK, (uint)parent);
        }

        writer.String(Ifla.IFLA_IFNAME, link.Name);
        WriteCommonSettings(writer, link);
        if (fdOfTarget >= 0)
        {
            writer.U32(Ifla.IFLA_NET_NS_FD, (uint)fdOfTarget);
        }

        var info = writer.BeginNested(Ifla.IFLA_LINKINFO);
        writer.StringNoNul(Ifla.IFLA_INFO_KIND, link.Kind ?? throw new InvalidLinkRequestException($"'{link.Name}': a link to create needs a kind"));
        WriteKindData(writer, link, fdOfPeerTarget);
        writer.EndNested(info);
        return writer;
    }

    /// <summary>`ip link del DEV`.</summary>
    public static MessageWriter Delete(int index)
    {
        var writer = new MessageWriter(Rtm.RTM_DELLINK, ChangeFlags);
        writer.IfInfo(Rtm.AF_UNSPEC, index, LinkFlags.None, LinkFlags.None);
        return writer;
    }

    /// <summary>`ip link set DEV up|down`.</summary>
    public static MessageWriter SetUp(int index, bool up)
    {
        var writer = new MessageWriter(Rtm.RTM_NEWLINK, ChangeFlags);
        writer.IfInfo(Rtm.AF_UNSPEC, index, up ? LinkFlags.Up : LinkFlags.None, LinkFlags.Up);
        return writer;
    }

    /// <summary>`ip link set DEV address|mtu|name|alias|master|nomaster|netns ...`: one attribute on an existing link.</summary>
    private static MessageWriter Change(int index, Action<MessageWriter> attributes)
    {
        var writer = new MessageWriter(Rtm.RTM_NEWLINK, ChangeFlags);
        writer.IfInfo(Rtm.AF_UNSPEC, index, LinkFlags.None, LinkFlags.None);
        attributes(writer);
        return writer;
    }

    public static MessageWriter SetAddress(int index, MacAddress mac) => Change(index, w => w.Attribute(Ifla.IFLA_ADDRESS, mac.ToBytes()));

    public static MessageWriter SetMtu(int index, int mtu) => Change(index, w => w.U32(Ifla.IFLA_MTU, (uint)mtu));

    public static MessageWriter SetName(int index, string name) => Change(index, w => w.String(Ifla.IFLA_IFNAME, name));

    public static MessageWriter SetAlias(int index, string alias) => Change(index, w => w.StringNoNul(Ifla.IFLA_IFALIAS, alias));

    /// <summary>`ip link set DEV master BR`; master 0 is `nomaster`.</summary>
    public static MessageWriter SetMaster(int index, int master) => Change(index, w => w.U32(Ifla.IFLA_MASTER, (uint)master));

    public static MessageWriter SetNamespace(int index, int namespaceFd) => Change(index, w => w.U32(Ifla.IFLA_NET_NS_FD, (uint)namespaceFd));

    /// <summary>`ip link set dev DEV type bridge_slave hairpin on|off`.</summary>
    public static MessageWriter SetHairpin(int index, bool on) => Change(index, writer =>
    {
        // iproute2 names the port type as IFLA_INFO_KIND "bridge_slave"; the kernel reads only the port data.
        var info = writer.BeginNested(Ifla.IFLA_LINKINFO);
        writer.StringNoNul(Ifla.IFLA_INFO_KIND, "bridge_slave");
        var data = writer.BeginNested(Ifla.IFLA_INFO_SLAVE_DATA);
        writer.U8(Ifla.IFLA_BRPORT_MODE, on ? (byte)1 : (byte)0);
        writer.EndNested(data);
        writer.EndNested(info);
    });

    /// <summary>`ip link show` (a dump of every link) or one link by index or name.</summary>
    public static MessageWriter Get(int index = 0, string? name = null)
    {
        var dump = index == 0 && name is null;
        var writer = new MessageWriter(Rtm.RTM_GETLINK, dump ? (ushort)(Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP) : Nl.NLM_F_REQUEST);
        writer.IfInfo(Rtm.AF_PACKET, index, LinkFlags.None, LinkFlags.None);
        if (name is not null)
        {
            writer.String(Ifla.IFLA_IFNAME, name);
        }

        writer.U32(Ifla.IFLA_EXT_MASK, Ifla.RTEXT_FILTER_VF);
        return writer;
    }

    private static void WriteCommonSettings(MessageWriter writer, Link link)
    {
        if (link.Address is { } mac)
        {
            writer.Attribute(Ifla.IFLA_ADDRESS, mac.ToBytes());
        }

        if (link.Mtu is { } mtu)
        {
            writer.U32(Ifla.IFLA_MTU, (uint)mtu);
        }

        if (link.TxQueueLength is { } txq)
        {
            writer.U32(Ifla.IFLA_TXQLEN, (uint)txq);
        }

        if (link.MasterIndex is { } master)
        {
            writer.U32(Ifla.IFLA_MASTER, (uint)master);
        }
    }

    private static void WriteKindData(MessageWriter writer, Link link, int fdOfPeerTarget)
    {
        switch (link)
        {
            case Veth veth:
                var peerData = writer.BeginNested(Ifla.IFLA_INFO_DATA);
                var peer = writer.BeginNestedWithIfInfo(Ifla.VETH_INFO_PEER);
                if (veth.PeerName is { } peerName)
                {
                    writer.String(Ifla.IFLA_IFNAME, peerName);
                }

                if (veth.PeerAddress is { } peerMac)
                {
                    writer.Attribute(Ifla.IFLA_ADDRESS, peerMac.ToBytes());
                }

                if (fdOfPeerTarget >= 0)
                {
                    writer.U32(Ifla.IFLA_NET_NS_FD, (uint)fdOfPeerTarget);
                }

                writer.EndNested(peer);
                writer.EndNested(peerData);
                break;

            case Macvlan macvlan:
                var data = writer.BeginNested(Ifla.IFLA_INFO_DATA);
                writer.U32(Ifla.IFLA_MACVLAN_MODE, (uint)macvlan.Mode);
                if (macvlan.NoPromisc)
                {
                    writer.U16(Ifla.IFLA_MACVLAN_FLAGS, Ifla.MACVLAN_FLAG_NOPROMISC);
                }

                if (macvlan.SourceAddresses.Count > 0)
                {
                    writer.U32(Ifla.IFLA_MACVLAN_MACADDR_MODE, Ifla.MACVLAN_MACADDR_ADD);
                    foreach (var source in macvlan.SourceAddresses)
                    {
                        writer.Attribute(Ifla.IFLA_MACVLAN_MACADDR, source.ToBytes());
                    }
                }

                writer.EndNested(data);
                break;

            case Vlan vlan:
                var vlanData = writer.BeginNested(Ifla.IFLA_INFO_DATA);
                if (vlan.Protocol != VlanProtocol.Dot1Q)
                {
                    writer.U16BigEndian(Ifla.IFLA_VLAN_PROTOCOL, (ushort)vlan.Protocol);
                }

                writer.U16(Ifla.IFLA_VLAN_ID, (ushort)vlan.VlanId);
                writer.EndNested(vlanData);
                break;

            case Vxlan vxlan:
                var vxlanData = writer.BeginNested(Ifla.IFLA_INFO_DATA);
                if (vxlan.UnderlayIndex is { } underlay)
                {
                    writer.U32(Ifla.IFLA_VXLAN_LINK, (uint)underlay);
                }

                writer.U32(Ifla.IFLA_VXLAN_ID, vxlan.Vni);
                WriteIp(writer, vxlan.Group, Ifla.IFLA_VXLAN_GROUP, Ifla.IFLA_VXLAN_GROUP6);
                WriteIp(writer, vxlan.Local, Ifla.IFLA_VXLAN_LOCAL, Ifla.IFLA_VXLAN_LOCAL6);

                // iproute2 always states learning (on, the kernel's default too).
                writer.U8(Ifla.IFLA_VXLAN_LEARNING, 1);
                if (vxlan.Port is { } port)
                {
                    writer.U16BigEndian(Ifla.IFLA_VXLAN_PORT, port);
                }

                writer.EndNested(vxlanData);
                break;

            case Ipvlan ipvlan:
                var ipvlanData = writer.BeginNested(Ifla.IFLA_INFO_DATA);
                writer.U16(Ifla.IFLA_IPVLAN_MODE, (ushort)ipvlan.Mode);
                writer.EndNested(ipvlanData);
                break;
        }
    }

    private static void WriteIp(MessageWriter writer, IPAddress? ip, ushort v4Type, ushort v6Type)
    {
        if (ip is null)
        {
            return;
        }

        writer.Attribute(ip.AddressFamily == AddressFamily.InterNetworkV6 ? v6Type : v4Type, ip.GetAddressBytes());
    }

    /// <summary>Parses the payload of an RTM_NEWLINK/RTM_DELLINK message (ifinfomsg and attributes).</summary>
    public static Link Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Rtm.IfInfoMsgLength)
        {
            throw new NetlinkParseException($"a link message needs {Rtm.IfInfoMsgLength} bytes of ifinfomsg, it has {payload.Length}");
        }

        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = (LinkFlags)BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        var fields = new ParsedLink { Index = index, Flags = flags };
        foreach (var attribute in new AttributeEnumerator(payload[Rtm.IfInfoMsgLength..]))
        {
            switch (attribute.Type)
            {
                case Ifla.IFLA_IFNAME: fields.Name = attribute.String(); break;
                case Ifla.IFLA_MTU: fields.Mtu = attribute.I32(); break;
                case Ifla.IFLA_LINK: fields.ParentIndex = attribute.I32(); break;
                case Ifla.IFLA_LINK_NETNSID: fields.ParentNetnsId = attribute.I32(); break;
                case Ifla.IFLA_MASTER: fields.MasterIndex = attribute.I32(); break;
                case Ifla.IFLA_IFALIAS: fields.Alias = attribute.String(); break;
                case Ifla.IFLA_TXQLEN: fields.TxQueueLength = attribute.I32(); break;
                case Ifla.IFLA_OPERSTATE: fields.OperState = (OperState)attribute.U8(); break;
                case Ifla.IFLA_CARRIER: fields.Carrier = attribute.U8() != 0; break;
                case Ifla.IFLA_ADDRESS when attribute.Value.Length == 6: fields.Address = MacAddress.FromBytes(attribute.Value); break;
                case Ifla.IFLA_STATS64: fields.Statistics = ParseStatistics(attribute.Value); break;
                case Ifla.IFLA_LINKINFO: ParseLinkInfo(attribute, fields); break;
            }
        }

        if (fields.Name is null)
        {
            throw new NetlinkParseException($"link {index} has no IFLA_IFNAME");
        }

        return fields.Build();
    }

    private static void ParseLinkInfo(NetlinkAttribute linkInfo, ParsedLink fields)
    {
        // IFLA_INFO_KIND precedes IFLA_INFO_DATA in what the kernel sends, but do not depend on it.
        ReadOnlySpan<byte> data = default;
        ReadOnlySpan<byte> portData = default;
        foreach (var attribute in linkInfo.Nested())
        {
            switch (attribute.Type)
            {
                case Ifla.IFLA_INFO_KIND: fields.Kind = attribute.String(); break;
                case Ifla.IFLA_INFO_DATA: data = attribute.Value; break;
                case Ifla.IFLA_INFO_SLAVE_KIND: fields.PortKind = attribute.String(); break;
                case Ifla.IFLA_INFO_SLAVE_DATA: portData = attribute.Value; break;
            }
        }

        foreach (var attribute in new AttributeEnumerator(data))
        {
            switch (fields.Kind, attribute.Type)
            {
                case ("macvlan" or "macvtap", Ifla.IFLA_MACVLAN_MODE): fields.MacvlanMode = (MacvlanMode)attribute.U32(); break;
                case ("macvlan" or "macvtap", Ifla.IFLA_MACVLAN_FLAGS): fields.NoPromisc = (attribute.U16() & Ifla.MACVLAN_FLAG_NOPROMISC) != 0; break;
                case ("macvlan" or "macvtap", Ifla.IFLA_MACVLAN_MACADDR_DATA):
                    foreach (var source in attribute.Nested())
                    {
                        if (source.Type == Ifla.IFLA_MACVLAN_MACADDR && source.Value.Length == 6)
                        {
                            fields.SourceAddresses.Add(MacAddress.FromBytes(source.Value));
                        }
                    }

                    break;
                case ("vlan", Ifla.IFLA_VLAN_ID): fields.VlanId = attribute.U16(); break;
                case ("vlan", Ifla.IFLA_VLAN_PROTOCOL): fields.VlanProtocol = (VlanProtocol)attribute.U16BigEndian(); break;
                case ("vxlan", Ifla.IFLA_VXLAN_ID): fields.Vni = attribute.U32(); break;
                case ("vxlan", Ifla.IFLA_VXLAN_PORT): fields.VxlanPort = attribute.U16BigEndian(); break;
                case ("vxlan", Ifla.IFLA_VXLAN_LINK): fields.VxlanUnderlay = attribute.I32(); break;
                case ("vxlan", Ifla.IFLA_VXLAN_GROUP or Ifla.IFLA_VXLAN_GROUP6): fields.VxlanGroup = ParseIp(attribute.Value); break;
                case ("vxlan", Ifla.IFLA_VXLAN_LOCAL or Ifla.IFLA_VXLAN_LOCAL6): fields.VxlanLocal = ParseIp(attribute.Value); break;
                case ("ipvlan", Ifla.IFLA_IPVLAN_MODE): fields.IpvlanMode = attribute.U16(); break;
            }
        }

        if (fields.PortKind == "bridge")
        {
            foreach (var attribute in new AttributeEnumerator(portData))
            {
                if (attribute.Type == Ifla.IFLA_BRPORT_MODE)
                {
                    fields.Hairpin = attribute.U8() != 0;
                }
            }
        }
    }

    private static IPAddress? ParseIp(ReadOnlySpan<byte> value) => value.Length is 4 or 16 ? new IPAddress(value) : null;

    private static LinkStatistics ParseStatistics(ReadOnlySpan<byte> value)
    {
        if (value.Length < 64)
        {
            throw new NetlinkParseException($"IFLA_STATS64 carries {value.Length} bytes, fewer than the 64 of its first eight counters");
        }

        return new LinkStatistics(At(value, 0), At(value, 1), At(value, 2), At(value, 3), At(value, 4), At(value, 5), At(value, 6), At(value, 7));
    }

    private static ulong At(ReadOnlySpan<byte> counters, int i) => BinaryPrimitives.ReadUInt64LittleEndian(counters[(i * 8)..]);

    /// <summary>Collects attributes in any order before the right record type is known.</summary>
    private sealed class ParsedLink
    {
        public int Index;
        public LinkFlags Flags;
        public string? Name;
        public string? Kind;
        public string? PortKind;
        public int? Mtu;
        public int? ParentIndex;
        public int? ParentNetnsId;
        public int? MasterIndex;
        public string? Alias;
        public int? TxQueueLength;
        public OperState OperState;
        public bool? Carrier;
        public MacAddress? Address;
        public LinkStatistics? Statistics;
        public bool? Hairpin;
        public MacvlanMode MacvlanMode = MacvlanMode.Vepa;
        public bool NoPromisc;
        public List<MacAddress> SourceAddresses = [];
        public int VlanId;
        public VlanProtocol VlanProtocol = VlanProtocol.Dot1Q;
        public uint Vni;
        public ushort? VxlanPort;
        public int? VxlanUnderlay;
        public IPAddress? VxlanGroup;
        public IPAddress? VxlanLocal;
        public int IpvlanMode;

        public Link Build()
        {
            Link link = Kind switch
            {
                "veth" => new Veth { Name = Name! },
                "macvlan" => new Macvlan { Name = Name!, Mode = MacvlanMode, NoPromisc = NoPromisc, SourceAddresses = SourceAddresses },
                "macvtap" => new Macvtap { Name = Name!, Mode = MacvlanMode, NoPromisc = NoPromisc, SourceAddresses = SourceAddresses },
                "vlan" => new Vlan { Name = Name!, VlanId = VlanId, Protocol = VlanProtocol },
                "bridge" => new Bridge { Name = Name! },
                "vxlan" => new Vxlan { Name = Name!, Vni = Vni, Port = VxlanPort, UnderlayIndex = VxlanUnderlay, Group = VxlanGroup, Local = VxlanLocal },
                "dummy" => new Dummy { Name = Name! },
                "ipvlan" => new Ipvlan { Name = Name!, Mode = IpvlanMode },
                _ => new OtherLink { Name = Name!, KernelKind = Kind },
            };

            return link with
            {
                Index = Index,
                Flags = Flags,
                Mtu = Mtu,
                ParentIndex = ParentIndex,
                ParentNetnsId = ParentNetnsId,
                MasterIndex = MasterIndex,
                Alias = Alias,
                TxQueueLength = TxQueueLength,
                OperState = OperState,
                Carrier = Carrier,
                Address = Address,
                Statistics = Statistics,
                Hairpin = Hairpin,
                PortKind = PortKind,
            };
        }
    }

    internal static string Describe(Link link) => link switch
    {
        Macvlan m => $"{link.Kind} '{link.Name}' (mode {m.Mode.Word()}{(m.NoPromisc ? ", nopromisc" : string.Empty)}) on ifindex {link.ParentIndex}",
        Vlan v => $"vlan '{link.Name}' (id {v.VlanId}, {v.Protocol.Word()}) on ifindex {link.ParentIndex}",
        Veth v => $"veth '{link.Name}' (peer '{v.PeerName}')",
        _ => $"{link.Kind} '{link.Name}'",
    };

    /// <summary>The fd to send as IFLA_NET_NS_FD; a closed namespace must not send a stale number that may now name another file.</summary>
    internal static int FdOf(NetworkNamespace? target) => target switch
    {
        null => -1,
        { File.IsClosed: true } => throw new ObjectDisposedException(nameof(NetworkNamespace), $"namespace {target} was disposed; open it again before using it as a target"),
        _ => (int)target.File.DangerousGetHandle(),
    };
}
