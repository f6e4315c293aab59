using System.Diagnostics;
using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Core.Tests.Formats;

namespace NetLab.Core.Tests.Grading;

/// <summary>
/// Checks files come from instructors' uploads and the API, so they get the lab files' defences: nesting that would
/// overflow the stack, texts too large, too many checks, each refused as one problem naming the limit. Reads run on a
/// thread with a small stack (256 KiB), so a reader that recursed per level would fail here.
/// </summary>
public sealed class HostileChecksTests
{
    public static TheoryData<string, LabFileFormat> DeepTexts => new()
    {
        { new string('[', 200_000), LabFileFormat.Yaml },
        { "checks: " + new string('[', 200_000), LabFileFormat.Yaml },
        { "checks:\n" + string.Concat(Enumerable.Repeat("- ", 100_000)) + "x\n", LabFileFormat.Yaml },
        { new string('[', 200_000), LabFileFormat.Json },
        { "{\"checks\": [" + string.Concat(Enumerable.Repeat("{\"a\":", 40_000)), LabFileFormat.Json },
    };

    [Theory]
    [MemberData(nameof(DeepTexts))]
    public void Nesting_deeper_than_the_limit_is_one_problem_naming_the_checks_file(string text, LabFileFormat format)
    {
        var clock = Stopwatch.StartNew();

        var result = LoadOnSmallStack(text, format);

        Assert.Null(result.Document);
        var problem = Assert.Single(result.Problems);
        Assert.Contains($"a checks file may nest at most {LabFormat.MaxNestingDepth} levels (a checks file needs 3)", problem.Message, StringComparison.Ordinal);
        Assert.Contains("docs/checks.md", problem.Hint, StringComparison.Ordinal);
        Assert.NotNull(problem.Location);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(LabFileFormat.Yaml)]
    [InlineData(LabFileFormat.Json)]
    public void A_text_over_the_size_limit_is_refused_before_it_is_parsed(LabFileFormat format)
    {
        var text = "{\"lab\": \"" + new string('a', ChecksFormat.MaxDocumentBytes) + "\"}";

        var result = ChecksFormat.Load(text, format);

        var problem = Assert.Single(result.Problems);
        Assert.Contains($"a checks file may be at most {ChecksFormat.MaxDocumentBytes} bytes (256 KiB)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_most_checks_a_file_may_hold_fit_the_size_limit_and_one_more_is_refused_at_its_place()
    {
        var atLimit = ManyChecks(ChecksFormat.MaxChecks);
        var yaml = ChecksFormat.ToYaml(atLimit);
        var overLimit = ChecksFormat.ToYaml(ManyChecks(ChecksFormat.MaxChecks + 1));

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(yaml) < ChecksFormat.MaxDocumentBytes / 2, $"{yaml.Length} bytes");
        Assert.Equal(atLimit, ChecksFormat.LoadYaml(yaml).Document);
        var result = ChecksFormat.LoadYaml(overLimit);
        Assert.Null(result.Document);
        var problem = Assert.Single(result.Problems);
        Assert.Equal($"checks[{ChecksFormat.MaxChecks}]", problem.Path);
        Assert.Equal($"the file holds {ChecksFormat.MaxChecks + 1} checks; a checks file may hold at most {ChecksFormat.MaxChecks}", problem.Message);
        Assert.Equal(ChecksFormat.MaxChecks + 2, problem.Location?.Line);
    }

    [Fact]
    public void An_alias_is_refused()
    {
        var result = ChecksFormat.LoadYaml("checks:\n- &a { from: ns2, reaches: 100.0.0.3 }\n- *a\n");

        var problem = Assert.Single(result.Problems);
        Assert.Contains("anchors and aliases (&name, *name) are not supported", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the file is empty", "`checks:`")]
    [InlineData("checks: []\n---\nchecks: []\n", "the file holds more than one YAML document", "Keep one checks document per file")]
    public void An_empty_or_double_yaml_text_is_told_in_the_words_of_checks_files(string text, string message, string hint)
    {
        var problem = Assert.Single(ChecksFormat.LoadYaml(text).Problems);

        Assert.Equal(message, problem.Message);
        Assert.Contains(hint, problem.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_a_surrogate_pair_is_refused_naming_the_checks_file()
    {
        var problem = Assert.Single(ChecksFormat.LoadJson("{\"lab\": \"x\uD800\"}").Problems);

        Assert.Contains("a checks file is UTF-8 text", problem.Message, StringComparison.Ordinal);
    }

    private static ChecksDocument ManyChecks(int count) => new()
    {
        Checks = Enumerable.Range(0, count)
            .Select(i => (LabCheck)new ReachabilityCheck($"ns{i / 250}", $"10.0.{i % 250}.1", i % 2 == 0))
            .ToValueList(),
    };

    private static ChecksLoadResult LoadOnSmallStack(string text, LabFileFormat format) => SmallStack.Run(() => ChecksFormat.Load(text, format));

}
