using System.Buffers.Binary;
using System.Text;

namespace NetLab.Netlink.Protocol;

/// <summary>One netlink message inside a received datagram; its payload excludes the 16-byte header.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }
    public ushort Flags { get; }
    public uint Sequence { get; }
    public uint PortId { get; }
    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>Walks the messages of a datagram, refusing any length that would read outside it.</summary>
internal ref struct MessageEnumerator
{
    private ReadOnlySpan<byte> _rest;

    public MessageEnumerator(ReadOnlySpan<byte> datagram)
    {
        _rest = datagram;
        Current = default;
    }

    public NetlinkMessage Current { get; private set; }

    public readonly MessageEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }

        if (_rest.Length < Nl.HeaderLength)
        {
            throw new NetlinkParseException($"a message header needs {Nl.HeaderLength} bytes, only {_rest.Length} remain");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_rest);
        if (length < Nl.HeaderLength || length > (uint)_rest.Length)
        {
            throw new NetlinkParseException($"message length {length} does not fit the {_rest.Length} bytes that remain");
        }

        var len = (int)length;
        Current = new NetlinkMessage(
            BinaryPrimitives.ReadUInt16LittleEndian(_rest[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(_rest[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_rest[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_rest[12..]),
            _rest[Nl.HeaderLength..len]);
        var next = Nl.Align(len);
        _rest = next >= _rest.Length ? [] : _rest[next..];
        return true;
    }
}

/// <summary>One attribute: type without the NESTED/BYTEORDER bits, and its value.</summary>
internal readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public ushort Type { get; }
    public ReadOnlySpan<byte> Value { get; }

    public byte U8() => Value.Length >= 1 ? Value[0] : throw Short(1);

    public ushort U16() => Value.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(Value) : throw Short(2);

    public ushort U16BigEndian() => Value.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Value) : throw Short(2);

    public uint U32() => Value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Value) : throw Short(4);

    public int I32() => unchecked((int)U32());

    /// <summary>A C string: up to the first NUL (the kernel includes it; a missing one is tolerated).</summary>
    public string String()
    {
        var end = Value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? Value : Value[..end]);
    }

    public AttributeEnumerator Nested() => new(Value);

    private NetlinkParseException Short(int needed) =>
        new($"attribute {Type} carries {Value.Length} bytes where {needed} are needed");
}

/// <summary>Walks attributes (or nested attributes), refusing any length that would read outside its parent.</summary>
internal ref struct AttributeEnumerator
{
    private ReadOnlySpan<byte> _rest;

    public AttributeEnumerator(ReadOnlySpan<byte> attributes)
    {
        _rest = attributes;
        Current = default;
    }

    public NetlinkAttribute Current { get; private set; }

    public readonly AttributeEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        // Fewer than 4 trailing bytes are padding, as the kernel's nla_for_each_attr treats them.
        if (_rest.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
        if (length < 4 || length > _rest.Length)
        {
            throw new NetlinkParseException($"attribute length {length} does not fit the {_rest.Length} bytes that remain");
        }

        var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]) & Nl.NLA_TYPE_MASK);
        Current = new NetlinkAttribute(type, _rest[4..length]);
        var next = Nl.Align(length);
        _rest = next >= _rest.Length ? [] : _rest[next..];
        return true;
    }
}
