using System.Buffers.Binary;
using System.Text;

namespace NetLab.Netlink.Protocol;

/// <summary>
/// Builds one netlink request: header, family header, attributes (nested ones too), each padded to 4 bytes
/// exactly as iproute2's addattr_l/addattr_nest do, so the bytes can be compared with iproute2's.
/// </summary>
internal sealed class MessageWriter
{
    private byte[] _buffer;
    private int _length;

    public MessageWriter(ushort type, ushort flags, int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, Nl.HeaderLength)];
        _length = Nl.HeaderLength;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
    }

    public ushort Type => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(4));

    public void IfInfo(byte family, int index, LinkFlags flags, LinkFlags change)
    {
        var span = Reserve(Rtm.IfInfoMsgLength);
        span[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)change);
    }

    /// <summary>struct rtgenmsg: one family byte, padded to 4 as NLMSG_ALIGN pads it before the first attribute.</summary>
    public void GenMsg(byte family) => Reserve(4)[0] = family;

    public void IfAddr(byte family, byte prefixLength, byte flags, byte scope, int index)
    {
        var span = Reserve(Rtm.IfAddrMsgLength);
        span[0] = family;
        span[1] = prefixLength;
        span[2] = flags;
        span[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
    }

    /// <summary>struct ndmsg of a neighbour request.</summary>
    public void NdMsg(byte family, int index, ushort state, byte flags, byte type)
    {
        var span = Reserve(Rtm.NdMsgLength);
        span[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], index);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], state);
        span[10] = flags;
        span[11] = type;
    }

    /// <summary>struct rtmsg of a route request; table, protocol, scope and type left 0 as `ip route get` leaves them.</summary>
    public void RtMsg(byte family, byte destinationLength, uint flags)
    {
        var span = Reserve(Rtm.RtMsgLength);
        span[0] = family;
        span[1] = destinationLength;
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], flags);
    }

    public void Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var total = 4 + value.Length;
        var span = Reserve(Nl.Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[4..]);
    }

    public void U8(ushort type, byte value) => Attribute(type, [value]);

    public void U16(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        Attribute(type, bytes);
    }

    public void U16BigEndian(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Attribute(type, bytes);
    }

    public void U32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Attribute(type, bytes);
    }

    public void I32(ushort type, int value) => U32(type, unchecked((uint)value));

    /// <summary>A C string: the bytes plus a terminating NUL, as iproute2 sends names.</summary>
    public void String(ushort type, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Span<byte> bytes = count < 256 ? stackalloc byte[count + 1] : new byte[count + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        bytes[count] = 0;
        Attribute(type, bytes);
    }

    /// <summary>A string without NUL (iproute2 sends IFLA_IFALIAS and IFLA_INFO_KIND like this).</summary>
    public void StringNoNul(ushort type, string value) => Attribute(type, Encoding.UTF8.GetBytes(value));

    /// <summary>Opens a nested attribute; <paramref name="flagNested"/> sets NLA_F_NESTED the way addattr_nest does not.</summary>
    public int BeginNested(ushort type, bool flagNested = false)
    {
        var start = _length;
        var span = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], flagNested ? (ushort)(type | Nl.NLA_F_NESTED) : type);
        return start;
    }

    public void EndNested(int start) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));

    /// <summary>Opens the nested family header of a veth peer (VETH_INFO_PEER holds an ifinfomsg and attributes).</summary>
    public int BeginNestedWithIfInfo(ushort type)
    {
        var start = BeginNested(type);
        IfInfo(Rtm.AF_UNSPEC, 0, LinkFlags.None, LinkFlags.None);
        return start;
    }

    /// <summary>Completes the header and returns the bytes to send.</summary>
    public ReadOnlySpan<byte> Finish(uint sequence, uint portId)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(12), portId);
        return _buffer.AsSpan(0, _length);
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        span.Clear();
        _length += count;
        return span;
    }
}
