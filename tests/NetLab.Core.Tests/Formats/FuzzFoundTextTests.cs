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
}
