using System.Diagnostics;
using System.Text;
using NetLab.Core.Formats;
using NetLab.Core.Labs;

namespace NetLab.Core.Tests.Formats;

/// <summary>
/// Texts made to hurt the reader: nesting that would overflow the stack (which ends the process, agent or web, and
/// cannot be caught), texts too large to hold, alias bombs. Each is refused as an ordinary problem naming the limit.
/// The reads run on a thread with a small stack (256 KiB), so a reader that still recursed per level would fail here
/// too, long before the 200,000 levels of the reported attack.
/// </summary>
public sealed class HostileDocumentTests
{
    public static TheoryData<string, LabFileFormat> DeepTexts => new()
    {
        { new string('[', 200_000), LabFileFormat.Yaml },
        { new string('{', 200_000), LabFileFormat.Yaml },
        { "name: x\nnamespaces: " + new string('[', 200_000), LabFileFormat.Yaml },
        // Block nesting: compact sequences, two characters a level.
        { string.Concat(Enumerable.Repeat("- ", 200_000)) + "x\n", LabFileFormat.Yaml },
        // Block nesting by indentation.
        { string.Concat(Enumerable.Range(0, 100).Select(i => new string(' ', i) + "a:\n")), LabFileFormat.Yaml },
        { new string('[', 200_000), LabFileFormat.Json },
        { "{\"name\": \"x\", \"namespaces\": " + string.Concat(Enumerable.Repeat("{\"a\":", 100_000)), LabFileFormat.Json },
    };

    [Theory]
    [MemberData(nameof(DeepTexts))]
    public void Nesting_deeper_than_the_limit_is_one_problem_naming_the_limit_found_quickly(string text, LabFileFormat format)
    {
        var clock = Stopwatch.StartNew();

        var result = LoadOnSmallStack(text, format);

        Assert.Null(result.Lab);
        var problem = Assert.Single(result.Problems);
        Assert.Contains($"at most {LabFormat.MaxNestingDepth} levels", problem.Message, StringComparison.Ordinal);
        Assert.NotNull(problem.Location);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(LabFileFormat.Yaml)]
    [InlineData(LabFileFormat.Json)]
    public void Nesting_at_the_limit_is_read_and_one_more_level_is_refused(LabFileFormat format)
    {
        // The root mapping is level 1; the value of "x" adds the rest.
        static string Nested(int levels) => "{\"name\": \"x\", \"x\": " + new string('[', levels - 1) + new string(']', levels - 1) + "}";

        var atLimit = LabFormat.Load(Nested(LabFormat.MaxNestingDepth), format);
        var overLimit = LabFormat.Load(Nested(LabFormat.MaxNestingDepth + 1), format);

        // At the limit the text is read; what is left is the lab's own problem (an unknown key).
        Assert.Contains("unknown key 'x'", Assert.Single(atLimit.Problems).Message, StringComparison.Ordinal);
        Assert.Contains("nested more than 64 deep", Assert.Single(overLimit.Problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LabFileFormat.Yaml)]
    [InlineData(LabFileFormat.Json)]
    public void A_text_over_the_size_limit_is_refused_before_it_is_parsed(LabFileFormat format)
    {
        // Valid in both formats except for its size: a comment would do for YAML, a long string for either.
        var text = "{\"name\": \"x\", \"description\": \"" + new string('a', LabFormat.MaxDocumentBytes) + "\"}";

        var result = LabFormat.LoadAndValidate(text, format);

        Assert.Null(result.Lab);
        var problem = Assert.Single(result.Problems);
        Assert.Contains($"at most {LabFormat.MaxDocumentBytes} bytes (1 MiB)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_size_limit_counts_utf8_bytes_not_characters()
    {
        var header = "name: x\ndescription: ";
        var fits = header + new string('a', LabFormat.MaxDocumentBytes - header.Length);
        // Two bytes each: about half as many characters already exceed the limit.
        var tooLarge = header + new string('é', ((LabFormat.MaxDocumentBytes - header.Length) / 2) + 1);

        Assert.True(LabFormat.LoadYaml(fits).Succeeded);
        Assert.Contains("a lab file may be at most", Assert.Single(LabFormat.LoadYaml(tooLarge).Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lab_of_thousands_of_interfaces_fits_well_within_the_size_limit()
    {
        // 1000 namespaces of 4 interfaces each, every one with an address: far beyond any lesson's lab.
        var lab = new Lab
        {
            Name = "big",
            Namespaces = Enumerable.Range(0, 1000).Select(n => new LabNamespace
            {
                Name = $"ns{n}",
                Interfaces = Enumerable.Range(0, 4).Select(i => (InterfaceDefinition)new DummyInterface
                {
                    Name = $"dummy{i}",
                    Addresses = [$"10.{n / 250}.{n % 250}.{i + 1}/24"],
                }).ToValueList(),
            }).ToValueList(),
        };

        var yaml = LabFormat.ToYaml(lab);
        var json = LabFormat.ToJson(lab);

        // 4000 interfaces are about 266 KB of YAML (room for about 15,000) and 567 KB of indented JSON (about 7,000).
        Assert.True(Encoding.UTF8.GetByteCount(yaml) < LabFormat.MaxDocumentBytes / 3, $"{yaml.Length} bytes of YAML");
        Assert.True(Encoding.UTF8.GetByteCount(json) < LabFormat.MaxDocumentBytes * 2 / 3, $"{json.Length} bytes of JSON");
        // Compared with == so that a failure does not print two thousand-interface labs.
        Assert.True(LabFormat.LoadYaml(yaml).Lab == lab, "the YAML did not read back as the lab");
        Assert.True(LabFormat.LoadJson(json).Lab == lab, "the JSON did not read back as the lab");
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_its_first_alias_without_expanding_anything()
    {
        // "Billion laughs": each level names the one before ten times, 10^9 nodes if expanded.
        var bomb = new StringBuilder("name: x\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level <= 9; level++)
        {
            bomb.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{level}: &a{level} [")
                .AppendJoin(", ", Enumerable.Repeat($"*a{level - 1}", 10))
                .Append("]\n");
        }

        var clock = Stopwatch.StartNew();

        var result = LoadOnSmallStack(bomb.ToString(), LabFileFormat.Yaml);

        var problem = Assert.Single(result.Problems);
        Assert.Contains("anchors and aliases (&name, *name) are not supported", problem.Message, StringComparison.Ordinal);
        Assert.Equal(3, problem.Location?.Line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    private static LoadResult LoadOnSmallStack(string text, LabFileFormat format) => SmallStack.Run(() => LabFormat.LoadAndValidate(text, format));

}
