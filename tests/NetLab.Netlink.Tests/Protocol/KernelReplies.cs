using System.Buffers.Binary;
using System.Text.Json;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Tests.Protocol;

/// <summary>One command's worth of real kernel replies from TestData/kernel-replies.json.</summary>
internal sealed record KernelCapture(string Name, string Command, string Namespace, string? IpStderr, JsonElement IpOutput, IReadOnlyList<byte[]> Datagrams);

/// <summary>The corpus of datagrams the kernel sent (captured with strace, see TestData/README.md).</summary>
internal static class KernelReplies
{
    private static readonly Lazy<IReadOnlyList<KernelCapture>> Captures = new(Load);

    public static IReadOnlyList<KernelCapture> All => Captures.Value;

    public static KernelCapture Get(string name) =>
        All.SingleOrDefault(c => c.Name == name) ?? throw new InvalidDataException($"kernel-replies.json has no capture named {name}");

    /// <summary>Every datagram of the corpus with a label saying where it came from.</summary>
    public static IReadOnlyList<(string Label, byte[] Datagram)> Datagrams() =>
        [.. All.SelectMany(c => c.Datagrams.Select((d, i) => ($"{c.Name}[{i}]", d)))];

    private static List<KernelCapture> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "kernel-replies.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("captures").EnumerateArray().Select(e => new KernelCapture(
            e.GetProperty("name").GetString()!,
            e.GetProperty("command").GetString()!,
            e.GetProperty("namespace").GetString()!,
            e.GetProperty("ip_stderr").GetString(),
            e.GetProperty("ip_output").Clone(),
            [.. e.GetProperty("datagrams").EnumerateArray().Select(d => Convert.FromHexString(d.GetString()!))]))];
    }
}

/// <summary>What one datagram held, parsed the way NetLab parses what it receives.</summary>
internal sealed class WalkedDatagram
{
    public List<(ushort Type, Link Link)> Links { get; } = [];

    public List<(ushort Type, Address Address)> Addresses { get; } = [];

    public List<(int Errno, string? ExtendedAck)> Errors { get; } = [];

    public int Messages { get; set; }
}

/// <summary>
/// Walks a datagram exactly as NetLab's receive paths do: <see cref="MessageEnumerator"/>, then per message type
/// LinkMessages.Parse / AddressMessages.Parse (EventSubscription.Drain, NetlinkHandle.LinkList/AddressList), and
/// for NLMSG_ERROR / NLMSG_DONE what NetlinkSocket.ReceiveUntilDone reads (errno, then the extended ack).
/// Unlike ReceiveUntilDone it does not stop at the first NLMSG_ERROR or NLMSG_DONE: every message is parsed.
/// </summary>
internal static class ReplyWalker
{
    public static WalkedDatagram Walk(ReadOnlySpan<byte> datagram)
    {
        var walked = new WalkedDatagram();
        foreach (var message in new MessageEnumerator(datagram))
        {
            walked.Messages++;
            switch (message.Type)
            {
                case Rtm.RTM_NEWLINK or Rtm.RTM_DELLINK:
                    walked.Links.Add((message.Type, LinkMessages.Parse(message.Payload)));
                    break;
                case Rtm.RTM_NEWADDR or Rtm.RTM_DELADDR:
                    walked.Addresses.Add((message.Type, AddressMessages.Parse(message.Payload)));
                    break;
                case Nl.NLMSG_ERROR:
                    // As NetlinkSocket.ThrowIfError: the errno first, then the extended ack behind it.
                    if (message.Payload.Length < 4)
                    {
                        throw new NetlinkParseException("an error reply shorter than its errno");
                    }

                    walked.Errors.Add((-BinaryPrimitives.ReadInt32LittleEndian(message.Payload), NetlinkSocket.ExtendedAckMessage(message)));
                    break;
                case Nl.NLMSG_DONE when message.Payload.Length >= 4:
                    _ = BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                    break;
            }
        }

        return walked;
    }
}
