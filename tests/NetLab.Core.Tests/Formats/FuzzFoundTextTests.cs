using NetLab.Core.Formats;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Formats;

/// <summary>
/// Texts the hostile-input suite's fuzzer (tests/NetLab.HostileInput.Tests, Fuzzing/) found to make the reader throw
/// instead of answering a problem. Each is kept here, minimised, so the fix stays.
/// </summary>
public sealed class FuzzFoundTextTests
{
    /// <summary>
    /// An unfinished flow mapping ending in a plain word at the very end of the text: YamlDotNet's scanner threw
    /// InvalidOperationException (not a YamlException), which escaped LoadAndValidate: `netlab validate` failed, the
    /// agent answered 500 for a bad request, and the web's import dialog lost its circuit.
    /// </summary>
    [Theory]
    [InlineData(": {\nt")]
    [InlineData("name: x\nnamespaces: {\nt")]
    public void An_unclosed_flow_mapping_ending_in_a_word_is_a_problem_at_the_end_of_the_text(string text)
    {
        var loaded = LabFormat.LoadAndValidate(text, LabFileFormat.Yaml);

        Assert.Null(loaded.Lab);
        var problem = Assert.Single(loaded.Problems);
        Assert.StartsWith("this is not valid YAML", problem.Message, StringComparison.Ordinal);
        Assert.Equal(text.Split('\n').Length, problem.Location?.Line);
    }

    /// <summary>
    /// An escaped lone surrogate in a JSON string, a key or a value: System.Text.Json's reader threw
    /// InvalidOperationException from GetString, which escaped the reader.
    /// </summary>
    [Theory]
    [InlineData("{\"name\": \"\\uD800\"}", 1, 10)]
    [InlineData("{\n  \"\\uDC00switch\": 1\n}", 2, 3)]
    [InlineData("{\"name\": \"x\", \"namespaces\": {\"a\\uD800\": {}}}", 1, 30)]
    public void An_escaped_lone_surrogate_in_JSON_is_a_problem_at_its_string(string text, int line, int column)
    {
        var loaded = LabFormat.LoadAndValidate(text, LabFileFormat.Json);

        Assert.Null(loaded.Lab);
        var problem = Assert.Single(loaded.Problems);
        Assert.StartsWith("this is not valid JSON", problem.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", problem.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation(line, column), problem.Location);
    }

    /// <summary>
    /// Half a surrogate pair in the text itself (a JSON request body can carry "\uDC00" in the lab text): the lab was
    /// accepted, and the YAML written back from it did not read back (YamlDotNet refuses the escape it writes). The
    /// character is put in at run time, at '§': an attribute's strings are stored as UTF-8, which has no room for it.
    /// </summary>
    [Theory]
    [InlineData("name: x\ndescription: a§b\n", LabFileFormat.Yaml, 0xDC00, 2, 15)]
    [InlineData("name: x\ndescription: §\n", LabFileFormat.Yaml, 0xD800, 2, 14)]
    [InlineData("{\"name\": \"x\", \"description\": \"§\"}", LabFileFormat.Json, 0xD800, 1, 31)]
    public void Half_a_surrogate_pair_in_the_text_is_a_problem_at_its_place(string template, LabFileFormat format, int half, int line, int column)
    {
        var text = template.Replace("§", ((char)half).ToString(), StringComparison.Ordinal);

        var loaded = LabFormat.LoadAndValidate(text, format);

        Assert.Null(loaded.Lab);
        var problem = Assert.Single(loaded.Problems);
        Assert.Contains("half of a UTF-16 surrogate pair", problem.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation(line, column), problem.Location);
    }

    [Fact]
    public void A_whole_surrogate_pair_is_a_character_like_any_other()
    {
        var loaded = LabFormat.LoadAndValidate("name: x\ndescription: " + char.ConvertFromUtf32(0x1F600) + " ok\n", LabFileFormat.Yaml);

        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Problems));
        Assert.Equal(loaded.Lab, LabFormat.LoadAndValidate(LabFormat.ToYaml(loaded.Lab!), LabFileFormat.Yaml).Lab);
    }

    /// <summary>
    /// An escape in a double-quoted YAML scalar that makes no character (a high surrogate escape followed by anything
    /// but a low one): YamlDotNet's scanner threw ArgumentOutOfRangeException from char.ConvertToUtf32, which escaped.
    /// </summary>
    [Theory]
    [InlineData("name: \"a\\uD800\\u0000\"\n")]
    [InlineData("name: x\ndescription: \"\\uD800\\u0041\"\n")]
    [InlineData("{\"name\": \"x\\uDBFF\\uDBFF\"}")]
    public void A_quoted_YAML_escape_that_makes_no_character_is_a_problem(string text)
    {
        var loaded = LabFormat.LoadAndValidate(text, LabFileFormat.Yaml);

        Assert.Null(loaded.Lab);
        Assert.StartsWith("this is not valid YAML", Assert.Single(loaded.Problems).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Text with whitespace at an end (or control characters) is written quoted: YamlDotNet's emitter wrote "por\t"
    /// plain and the tab was lost when read back, so an edit on the canvas changed the description by itself.
    /// </summary>
    [Theory]
    [InlineData("ends with a tab\t")]
    [InlineData("ends with a space ")]
    [InlineData(" starts with a space")]
    [InlineData("\tstarts with a tab")]
    [InlineData("holds a \u0001 control character")]
    [InlineData("two\nlines")]
    public void A_description_reads_back_from_the_YAML_written_for_it_exactly(string description)
    {
        var lab = LabFormat.LoadAndValidate("name: x\n", LabFileFormat.Yaml).Lab! with { Description = description };

        var again = LabFormat.LoadAndValidate(LabFormat.ToYaml(lab), LabFileFormat.Yaml);

        Assert.Equal(description, again.Lab?.Description);
    }
}
