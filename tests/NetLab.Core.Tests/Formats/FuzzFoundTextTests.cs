using NetLab.Core.Formats;

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
}
