using System.Runtime.InteropServices;

namespace NetLab.Netlink.Interop;

/// <summary>The AF_PACKET side of libc: packet sockets, recvmsg with control messages, interface names.</summary>
internal static unsafe partial class LibC
{
    public const int AF_PACKET = 17;
    public const ushort ETH_P_ALL = 0x0003;
    public const ushort ETH_P_8021Q = 0x8100;

    public const int SOL_PACKET = 263;
    public const int PACKET_AUXDATA = 8;
    public const int PACKET_STATISTICS = 6;
    public const byte PACKET_OUTGOING = 4;

    public const int SO_TIMESTAMPNS = 35;
    public const int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;

    public const uint TP_STATUS_VLAN_VALID = 0x10;
    public const uint TP_STATUS_VLAN_TPID_VALID = 0x40;

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>struct tpacket_auxdata: what the kernel knows of a frame that its bytes no longer show (the VLAN tag offloaded out of it).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketAuxdata
    {
        public uint Status;
        public uint Length;
        public uint SnapLength;
        public ushort Mac;
        public ushort Net;
        public ushort VlanTci;
        public ushort VlanTpid;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketStats
    {
        public uint Packets;
        public uint Drops;
    }

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int BindPacket(int fd, in SockaddrLl address, int length);

    [LibraryImport(Library, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockNamePacket(int fd, out SockaddrLl address, ref int length);

    [LibraryImport(Library, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int option, void* value, ref int length);

    [LibraryImport(Library, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);
}
