namespace NetLab.Netlink.Protocol;

/// <summary>Constants from linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h and if_bridge.h, named as there.</summary>
internal static class Nl
{
    public const int HeaderLength = 16;

    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLMSG_OVERRUN = 4;

    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_ACK = 0x4;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_ROOT = 0x100;
    public const ushort NLM_F_MATCH = 0x200;
    public const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;

    // Flags on an NLMSG_ERROR reply.
    public const ushort NLM_F_CAPPED = 0x100;
    public const ushort NLM_F_ACK_TLVS = 0x200;

    public const ushort NLMSGERR_ATTR_MSG = 1;
    public const ushort NLMSGERR_ATTR_OFFS = 2;

    public const ushort NLA_F_NESTED = 0x8000;
    public const ushort NLA_TYPE_MASK = 0x3fff;

    public static int Align(int length) => (length + 3) & ~3;
}

internal static class Rtm
{
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_SETLINK = 19;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWNEIGH = 28;
    public const ushort RTM_DELNEIGH = 29;
    public const ushort RTM_GETNEIGH = 30;
    public const ushort RTM_NEWNSID = 88;
    public const ushort RTM_GETNSID = 90;

    public const ushort NETNSA_NSID = 1;
    public const ushort NETNSA_FD = 3;

    public const uint RTMGRP_LINK = 0x1;
    public const uint RTMGRP_IPV4_IFADDR = 0x10;
    public const uint RTMGRP_IPV6_IFADDR = 0x100;

    public const int IfInfoMsgLength = 16;
    public const int IfAddrMsgLength = 8;
    public const int NdMsgLength = 12;
    public const int RtMsgLength = 12;

    public const ushort NDA_DST = 1;
    public const ushort NDA_LLADDR = 2;

    public const ushort RTA_DST = 1;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PREFSRC = 7;

    public const byte AF_UNSPEC = 0;
    public const byte AF_INET = 2;
    public const byte AF_BRIDGE = 7;
    public const byte AF_INET6 = 10;
    public const byte AF_PACKET = 17;
}

internal static class Ifla
{
    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_BROADCAST = 2;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_LINK = 5;
    public const ushort IFLA_MASTER = 10;
    public const ushort IFLA_PROTINFO = 12;
    public const ushort IFLA_TXQLEN = 13;
    public const ushort IFLA_OPERSTATE = 16;
    public const ushort IFLA_LINKMODE = 17;
    public const ushort IFLA_LINKINFO = 18;
    public const ushort IFLA_NET_NS_PID = 19;
    public const ushort IFLA_IFALIAS = 20;
    public const ushort IFLA_STATS64 = 23;
    public const ushort IFLA_EXT_MASK = 29;
    public const ushort IFLA_NET_NS_FD = 28;
    public const ushort IFLA_CARRIER = 33;
    public const ushort IFLA_LINK_NETNSID = 37;

    public const ushort IFLA_INFO_KIND = 1;
    public const ushort IFLA_INFO_DATA = 2;
    public const ushort IFLA_INFO_SLAVE_KIND = 4;
    public const ushort IFLA_INFO_SLAVE_DATA = 5;

    public const ushort VETH_INFO_PEER = 1;

    public const ushort IFLA_MACVLAN_MODE = 1;
    public const ushort IFLA_MACVLAN_FLAGS = 2;
    public const ushort IFLA_MACVLAN_MACADDR_MODE = 3;
    public const ushort IFLA_MACVLAN_MACADDR = 4;
    public const ushort IFLA_MACVLAN_MACADDR_DATA = 5;
    public const ushort IFLA_MACVLAN_MACADDR_COUNT = 6;
    public const ushort MACVLAN_FLAG_NOPROMISC = 1;
    public const uint MACVLAN_MACADDR_ADD = 0;

    public const ushort IFLA_VLAN_ID = 1;
    public const ushort IFLA_VLAN_PROTOCOL = 5;

    public const ushort IFLA_VXLAN_ID = 1;
    public const ushort IFLA_VXLAN_GROUP = 2;
    public const ushort IFLA_VXLAN_LINK = 3;
    public const ushort IFLA_VXLAN_LOCAL = 4;
    public const ushort IFLA_VXLAN_LEARNING = 7;
    public const ushort IFLA_VXLAN_PORT = 15;
    public const ushort IFLA_VXLAN_GROUP6 = 16;
    public const ushort IFLA_VXLAN_LOCAL6 = 17;

    public const ushort IFLA_IPVLAN_MODE = 1;

    public const ushort IFLA_BRPORT_MODE = 4;

    public const uint RTEXT_FILTER_VF = 1;
}

internal static class Ifa
{
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_FLAGS = 8;
}

/// <summary>IFF_* device flags from linux/if.h.</summary>
[Flags]
public enum LinkFlags : uint
{
    None = 0,
    Up = 0x1,
    Broadcast = 0x2,
    Loopback = 0x8,
    PointToPoint = 0x10,
    Running = 0x40,
    NoArp = 0x80,
    Promisc = 0x100,
    AllMulti = 0x200,
    Multicast = 0x1000,
    LowerUp = 0x10000,
    Dormant = 0x20000,
}
