using System.Buffers.Binary;
using System.Globalization;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Tests.Protocol;

/// <summary>A mutated datagram, what was done to it, and whether it must still parse (a well-formed duplicate).</summary>
internal sealed record Mutation(byte[] Datagram, string Description, bool MustParse);

/// <summary>
/// Where the length fields and attributes of a well-formed datagram are: every nlmsg_len, the nlmsg_len echoed
/// inside an NLMSG_ERROR, and every nla_len, descending into any attribute whose value is itself a well-formed
/// attribute stream (the kernel rarely sets NLA_F_NESTED, so nesting is recognised by shape).
/// </summary>
internal sealed class DatagramLayout
{
    private const int MaxDepth = 8;

    private DatagramLayout()
    {
    }

    /// <summary>A length field: its offset, its width (2 or 4), and how many bytes remain from it to its parent's end.</summary>
    public readonly record struct LengthField(int Offset, int Width, uint Value, int Room);

    /// <summary>An attribute, the offsets of every length field that encloses it, and whether a copy of it must still parse.</summary>
    public sealed record AttributeNode(int Offset, int Length, IReadOnlyList<LengthField> Enclosing, bool DuplicateMustParse);

    public List<LengthField> Lengths { get; } = [];

    public List<AttributeNode> Attributes { get; } = [];

    public static DatagramLayout Of(byte[] datagram)
    {
        var layout = new DatagramLayout();
        var offset = 0;
        while (datagram.Length - offset >= Nl.HeaderLength)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(offset));
            if (length < Nl.HeaderLength || length > datagram.Length - offset)
            {
                break;
            }

            var header = new LengthField(offset, 4, length, datagram.Length - offset);
            layout.Lengths.Add(header);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(datagram.AsSpan(offset + 4));
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(datagram.AsSpan(offset + 6));
            var end = offset + (int)length;
            var payload = offset + Nl.HeaderLength;
            switch (type)
            {
                case Rtm.RTM_NEWLINK or Rtm.RTM_DELLINK when end - payload >= Rtm.IfInfoMsgLength:
                    // LinkMessages.Parse reads no nested value whose length it checks exactly, so any copy parses.
                    layout.Walk(datagram, payload + Rtm.IfInfoMsgLength, end, [header], 0, nestedMustParse: true);
                    break;
                case Rtm.RTM_NEWADDR or Rtm.RTM_DELADDR when end - payload >= Rtm.IfAddrMsgLength:
                    // IFA_LOCAL/IFA_ADDRESS must be exactly 4 or 16 bytes: growing something that merely looks nested inside one would not parse.
                    layout.Walk(datagram, payload + Rtm.IfAddrMsgLength, end, [header], 0, nestedMustParse: false);
                    break;
                case Nl.NLMSG_ERROR when end - payload >= 4 + Nl.HeaderLength:
                    var echoedLength = BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(payload + 4));
                    layout.Lengths.Add(new LengthField(payload + 4, 4, echoedLength, end - payload - 4));
                    if ((flags & Nl.NLM_F_ACK_TLVS) != 0)
                    {
                        var echoed = (flags & Nl.NLM_F_CAPPED) != 0 ? Nl.HeaderLength : (long)echoedLength;
                        var attributes = payload + 4 + ((echoed + 3) & ~3L);
                        if (attributes <= end)
                        {
                            layout.Walk(datagram, (int)attributes, end, [header], 0, nestedMustParse: true);
                        }
                    }

                    break;
            }

            offset += Nl.Align((int)length);
        }

        return layout;
    }

    private void Walk(byte[] datagram, int start, int end, IReadOnlyList<LengthField> enclosing, int depth, bool nestedMustParse)
    {
        var position = start;
        while (end - position >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(datagram.AsSpan(position));
            if (length < 4 || length > end - position)
            {
                return;
            }

            var field = new LengthField(position, 2, length, end - position);
            Lengths.Add(field);
            Attributes.Add(new AttributeNode(position, length, enclosing, depth == 0 || nestedMustParse));
            if (depth < MaxDepth && IsAttributeStream(datagram.AsSpan(position + 4, length - 4)))
            {
                Walk(datagram, position + 4, position + length, [.. enclosing, field], depth + 1, nestedMustParse);
            }

            position += Nl.Align(length);
        }
    }

    private static bool IsAttributeStream(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            return false;
        }

        var position = 0;
        while (value.Length - position >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(value[position..]);
            if (length < 4 || length > value.Length - position)
            {
                return false;
            }

            position += Nl.Align(length);
        }

        return position >= value.Length;
    }
}

/// <summary>Seeded mutations of real datagrams; every choice comes from the <see cref="Random"/> it is handed.</summary>
internal static class CorpusMutator
{
    private static readonly uint[] U32Boundaries = [0, 1, 3, 4, 15, 16, 17, 0xFFFF, 0x10000, 0x7FFF_FFFC, 0x7FFF_FFFD, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFF0, 0xFFFF_FFFC, 0xFFFF_FFFF];

    private static readonly uint[] U16Boundaries = [0, 1, 2, 3, 4, 5, 7, 8, 0x7FFF, 0x8000, 0xFFFC, 0xFFFF];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x03, 0x04, 0x0F, 0x10, 0x7F, 0x80, 0xFE, 0xFF];

    public static Mutation Mutate(Random random, byte[] original, DatagramLayout layout)
    {
        var roll = random.Next(100);
        return roll switch
        {
            < 20 => LengthField(random, original, layout),
            < 30 => Duplicate(random, original, layout),
            < 40 => Stacked(random, original, layout),
            _ => Generic(random, original, layout),
        };
    }

    /// <summary>One of the mutations that do not keep the structure consistent.</summary>
    private static Mutation Generic(Random random, byte[] original, DatagramLayout layout) => random.Next(7) switch
    {
        0 => BitFlips(random, original),
        1 => ByteOverwrites(random, original),
        2 => WordOverwrite(random, original),
        3 => Truncate(random, original),
        4 => Insert(random, original),
        5 => Remove(random, original),
        _ => LengthField(random, original, layout),
    };

    private static Mutation Stacked(Random random, byte[] original, DatagramLayout layout)
    {
        // The first mutation uses the layout of the original; later ones are blind, so work on raw bytes only.
        var first = Generic(random, original, layout);
        var bytes = first.Datagram;
        var steps = new List<string> { first.Description };
        var more = random.Next(1, 4);
        for (var i = 0; i < more; i++)
        {
            var next = random.Next(6) switch
            {
                0 => BitFlips(random, bytes),
                1 => ByteOverwrites(random, bytes),
                2 => WordOverwrite(random, bytes),
                3 => Truncate(random, bytes),
                4 => Insert(random, bytes),
                _ => Remove(random, bytes),
            };
            bytes = next.Datagram;
            steps.Add(next.Description);
        }

        return new Mutation(bytes, string.Join(", then ", steps), MustParse: false);
    }

    private static Mutation BitFlips(Random random, byte[] original)
    {
        if (original.Length == 0)
        {
            return new Mutation([], "nothing to flip", MustParse: false);
        }

        var bytes = (byte[])original.Clone();
        var flips = new List<string>();
        var count = random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            var at = random.Next(bytes.Length);
            var bit = random.Next(8);
            bytes[at] ^= (byte)(1 << bit);
            flips.Add(Invariant($"{at}.{bit}"));
        }

        return new Mutation(bytes, $"bit flips at {string.Join(' ', flips)}", MustParse: false);
    }

    private static Mutation ByteOverwrites(Random random, byte[] original)
    {
        if (original.Length == 0)
        {
            return new Mutation([], "nothing to overwrite", MustParse: false);
        }

        var bytes = (byte[])original.Clone();
        var writes = new List<string>();
        var count = random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            var at = random.Next(bytes.Length);
            var value = random.Next(2) == 0 ? InterestingBytes[random.Next(InterestingBytes.Length)] : (byte)random.Next(256);
            bytes[at] = value;
            writes.Add(Invariant($"[{at}]=0x{value:x2}"));
        }

        return new Mutation(bytes, $"byte overwrites {string.Join(' ', writes)}", MustParse: false);
    }

    /// <summary>A boundary value written over 2 or 4 bytes anywhere, e.g. an nlmsg_len the layout does not know of.</summary>
    private static Mutation WordOverwrite(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        if (bytes.Length < 4)
        {
            return Truncate(random, original);
        }

        var at = random.Next(2) == 0 ? random.Next(bytes.Length / 4) * 4 : random.Next(bytes.Length - 3);
        if (random.Next(2) == 0)
        {
            var value = U32Boundaries[random.Next(U32Boundaries.Length)];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
            return new Mutation(bytes, Invariant($"u32 at {at} := 0x{value:x}"), MustParse: false);
        }

        var value16 = (ushort)U16Boundaries[random.Next(U16Boundaries.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), value16);
        return new Mutation(bytes, Invariant($"u16 at {at} := 0x{value16:x}"), MustParse: false);
    }

    private static Mutation Truncate(Random random, byte[] original)
    {
        var length = original.Length == 0 ? 0 : random.Next(original.Length);
        return new Mutation(original[..length], Invariant($"truncated from {original.Length} to {length} bytes"), MustParse: false);
    }

    private static Mutation Insert(Random random, byte[] original)
    {
        var at = random.Next(original.Length + 1);
        var inserted = new byte[random.Next(1, 9)];
        if (random.Next(2) == 0)
        {
            random.NextBytes(inserted);
        }

        byte[] bytes = [.. original.AsSpan(0, at), .. inserted, .. original.AsSpan(at)];
        return new Mutation(bytes, Invariant($"inserted {Convert.ToHexStringLower(inserted)} at {at}"), MustParse: false);
    }

    private static Mutation Remove(Random random, byte[] original)
    {
        if (original.Length == 0)
        {
            return new Mutation([], "nothing to remove", MustParse: false);
        }

        var at = random.Next(original.Length);
        var count = Math.Min(random.Next(1, 9), original.Length - at);
        byte[] bytes = [.. original.AsSpan(0, at), .. original.AsSpan(at + count)];
        return new Mutation(bytes, Invariant($"removed {count} bytes at {at}"), MustParse: false);
    }

    /// <summary>An nlmsg_len or nla_len set to a boundary: 0, 3, 4, one less or more than its value or its room, the maximum, ...</summary>
    private static Mutation LengthField(Random random, byte[] original, DatagramLayout layout)
    {
        if (layout.Lengths.Count == 0)
        {
            return WordOverwrite(random, original);
        }

        var field = layout.Lengths[random.Next(layout.Lengths.Count)];
        var bytes = (byte[])original.Clone();
        var near = new[] { field.Value - 1, field.Value + 1, field.Value + 4, (uint)field.Room, (uint)field.Room + 1, (uint)field.Room - 1 };
        var fixedValues = field.Width == 4 ? U32Boundaries : U16Boundaries;
        var value = random.Next(3) switch
        {
            0 => near[random.Next(near.Length)],
            1 => fixedValues[random.Next(fixedValues.Length)],
            _ => (uint)random.Next(0, field.Room + 8),
        };

        if (field.Width == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(field.Offset), value);
        }
        else
        {
            value &= 0xFFFF;
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(field.Offset), (ushort)value);
        }

        return new Mutation(bytes, Invariant($"{(field.Width == 4 ? "nlmsg_len" : "nla_len")} at {field.Offset} (was {field.Value}, room {field.Room}) := 0x{value:x}"), MustParse: false);
    }

    /// <summary>A copy of one attribute placed right behind it, with every enclosing length grown to match: the kernel's rules accept it.</summary>
    private static Mutation Duplicate(Random random, byte[] original, DatagramLayout layout)
    {
        for (var attempt = 0; attempt < 8 && layout.Attributes.Count > 0; attempt++)
        {
            var node = layout.Attributes[random.Next(layout.Attributes.Count)];
            var growth = Nl.Align(node.Length);
            if (node.Enclosing.Any(e => e.Width == 2 && e.Value + growth > 0xFFFF))
            {
                continue;
            }

            // Behind the attribute's own bytes: its padding (zeros), then the copy; whatever followed stays aligned.
            var insert = new byte[growth];
            original.AsSpan(node.Offset, node.Length).CopyTo(insert.AsSpan(growth - node.Length));
            var at = node.Offset + node.Length;
            byte[] bytes = [.. original.AsSpan(0, at), .. insert, .. original.AsSpan(at)];
            foreach (var enclosing in node.Enclosing)
            {
                if (enclosing.Width == 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(enclosing.Offset), enclosing.Value + (uint)growth);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(enclosing.Offset), (ushort)(enclosing.Value + growth));
                }
            }

            var type = BinaryPrimitives.ReadUInt16LittleEndian(original.AsSpan(node.Offset + 2)) & Nl.NLA_TYPE_MASK;
            return new Mutation(bytes, Invariant($"attribute type {type} ({node.Length} bytes) at {node.Offset} duplicated, {node.Enclosing.Count} enclosing lengths grown by {growth}"), node.DuplicateMustParse);
        }

        return ByteOverwrites(random, original);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
