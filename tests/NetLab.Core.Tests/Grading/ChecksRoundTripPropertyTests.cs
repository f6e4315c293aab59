using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Grading;

/// <summary>
/// Seeded random documents and texts: every document the model can hold with valid names reads back unchanged in both
/// formats, and no text, however mangled, makes the reader throw instead of answering problems.
/// </summary>
public sealed class ChecksRoundTripPropertyTests
{
    private static readonly string[] Elements = ["ns2", "h1", "sw1", "a", "0", "x_y", "n-1", "A9", new string('n', 32)];
    private static readonly string[] Interfaces = ["eth0", "eth0.888", "lo", "br0", "p1", "mv_2", "v-3", "0", "a.b.c", new string('i', 15)];

    private static readonly string[] PingAddresses =
    [
        "100.0.0.3", "10.0.0.1", "255.255.255.255", "0.0.0.1", "::1", "2001:db8::3", "fe80::1", "::ffff:1.2.3.4", "2001:db8:0:1:2:3:4:5", "::",
    ];

    private static readonly string[] InterfaceAddresses =
    [
        "100.0.0.2/24", "10.0.0.1/32", "1.2.3.4/0", "2001:db8::3/64", "::1/128", "::ffff:1.2.3.4/96", "fe80::1/10",
    ];

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 40));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_random_document_reads_back_unchanged_in_both_formats(int seed)
    {
        var random = new Random(seed);
        var document = new ChecksDocument
        {
            Lab = random.Next(3) == 0 ? null : Pick(random, Elements),
            Checks = Enumerable.Range(0, random.Next(0, 40)).Select(_ => RandomCheck(random)).ToValueList(),
        };

        foreach (var format in new[] { LabFileFormat.Yaml, LabFileFormat.Json })
        {
            var text = ChecksFormat.Save(document, format);
            var read = ChecksFormat.Load(text, format);

            Assert.True(read.Succeeded, $"{format}:\n{text}\n{string.Join("\n", read.Problems)}");
            Assert.Equal(document, read.Document);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_mangled_text_is_answered_with_problems_or_a_document_never_an_exception(int seed)
    {
        var random = new Random(seed);
        var document = new ChecksDocument { Lab = "lab1", Checks = Enumerable.Range(0, 12).Select(_ => RandomCheck(random)).ToValueList() };
        const string noise = "{}[],:- \n\t'\"#&*!|>%@`\\/.0aZ\u00e9\uD83D\uDE00";

        foreach (var format in new[] { LabFileFormat.Yaml, LabFileFormat.Json })
        {
            var text = ChecksFormat.Save(document, format).ToCharArray().ToList();
            for (var round = 0; round < 25; round++)
            {
                var mangled = new List<char>(text);
                for (var edits = random.Next(1, 6); edits > 0; edits--)
                {
                    var at = random.Next(mangled.Count + 1);
                    switch (random.Next(3))
                    {
                        case 0 when at < mangled.Count:
                            mangled.RemoveAt(at);
                            break;
                        case 1 when at < mangled.Count:
                            mangled[at] = noise[random.Next(noise.Length)];
                            break;
                        default:
                            mangled.Insert(at, noise[random.Next(noise.Length)]);
                            break;
                    }
                }

                var result = ChecksFormat.Load(new string([.. mangled]), format);

                Assert.True(result.Document is not null || result.Problems.Count > 0);
                Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
                if (result.Succeeded)
                {
                    Assert.Equal(result.Document, ChecksFormat.Load(ChecksFormat.Save(result.Document!, format), format).Document);
                }
            }
        }
    }

    private static LabCheck RandomCheck(Random random)
    {
        var element = Pick(random, Elements);
        var name = Pick(random, Interfaces);
        return random.Next(7) switch
        {
            0 => new ReachabilityCheck(element, Pick(random, PingAddresses), random.Next(2) == 0),
            1 => new InterfaceExistsCheck(element, name),
            2 => new InterfaceUpCheck(element, name, random.Next(2) == 0),
            3 => new InterfaceKindCheck(element, name, Pick(random, [LinkKind.Veth, LinkKind.Vlan, LinkKind.Bridge, LinkKind.Vxlan, LinkKind.Dummy])),
            4 => new InterfaceKindCheck(element, name, Pick(random, [LinkKind.Macvlan, LinkKind.Macvtap]),
                random.Next(3) == 0 ? null : Pick(random, Enum.GetValues<MacvlanMode>())),
            5 => new InterfaceVlanCheck(element, name, random.Next(1, 4095)),
            _ => new InterfaceAddressCheck(element, name, InterfaceAddress.Parse(Pick(random, InterfaceAddresses))),
        };
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
