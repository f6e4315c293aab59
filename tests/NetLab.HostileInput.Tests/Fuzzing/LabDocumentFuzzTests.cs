using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using NetLab.Agent.Api;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;
using NetLab.Core.Validation;

namespace NetLab.HostileInput.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing of Core's reader and validator (in this process, no root needed), over lab texts from
/// <see cref="LabTexts"/>. For every text: LoadAndValidate returns, never throws, within a bounded time, and its answer
/// is either a lab with no problem or no lab with problems that each say something; the agent's own reading of a lab
/// document throws nothing but its documented InvalidLabException; and a lab that is valid plans from nothing and
/// renders as iproute2 commands whose every word a shell takes literally, and reads back from its own YAML the same.
/// Counts: see <see cref="FuzzCases"/>.
/// </summary>
public sealed class LabDocumentFuzzTests
{
    /// <summary>
    /// One case's bound. Reading the largest text (1 MiB) takes well under a second on a busy 2-core machine; a reader
    /// that goes quadratic or backtracks on some input takes minutes, which is what this catches.
    /// </summary>
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(3);

    [Fact]
    public void Reading_and_validating_any_lab_text_answers_a_lab_or_problems_and_never_throws() =>
        Run(LabTexts.Any(), FuzzCases.Count(4000), text =>
        {
            var clock = Stopwatch.StartNew();
            var loaded = LabFormat.LoadAndValidate(text.Text, text.Format);
            var elapsed = clock.Elapsed;

            Assert.True(elapsed < PerCase, $"reading took {elapsed.TotalMilliseconds:0} ms");
            if (loaded.Lab is null)
            {
                Assert.NotEmpty(loaded.Problems);
                Assert.All(loaded.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
            }
            else
            {
                Assert.Empty(loaded.Problems);
                PlanRenderAndReadBack(loaded.Lab);
            }

            // The agent's reading of the same text (LabDocuments.Read): a lab, or its one documented exception.
            try
            {
                _ = LabDocuments.Read(new LabDocument(text.Text, text.Format == LabFileFormat.Json ? "json" : "yaml"));
                Assert.NotNull(loaded.Lab);
            }
            catch (InvalidLabException invalid)
            {
                Assert.Null(loaded.Lab);
                Assert.Equal(loaded.Problems.Count, invalid.Problems.Count);
            }
        });

    [Fact]
    public void Structured_labs_reach_the_validator_and_every_valid_one_plans_renders_and_reads_back() =>
        Run(Gen.OneOf(LabTexts.Structured(), LabTexts.LabShaped()), FuzzCases.Count(2000), text =>
        {
            var loaded = LabFormat.LoadAndValidate(text.Text, text.Format);
            if (loaded.Lab is { } lab)
            {
                PlanRenderAndReadBack(lab);
            }
            else
            {
                Assert.All(loaded.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
            }
        });

    /// <summary>A valid lab plans from nothing, each command's words are literal to a shell, and its YAML reads back as itself.</summary>
    private static void PlanRenderAndReadBack(Core.Labs.Lab lab)
    {
        var plan = Planner.Plan(ObservedState.Empty, lab);
        foreach (var command in Iproute2Renderer.Render(plan))
        {
            Assert.True(IsLiteralShellWords(command), $"not literal shell words: {command}");
        }

        var again = LabFormat.LoadAndValidate(LabFormat.ToYaml(lab), LabFileFormat.Yaml);
        Assert.True(again.Lab is not null, $"its own YAML does not read back: {string.Join("; ", again.Problems)}\n{LabFormat.ToYaml(lab)}");
        Assert.Equal(lab, again.Lab);
    }

    /// <summary>Outside single quotes every character is one a shell leaves alone (<see cref="ShellWords.IsLiteral"/>) or a space.</summary>
    private static bool IsLiteralShellWords(string command)
    {
        var quoted = false;
        foreach (var c in command)
        {
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c != ' ' && c != '\\' && !ShellWords.IsLiteral(c))
            {
                return false;
            }
        }

        return !quoted;
    }

    /// <summary>
    /// Checks <paramref name="property"/> on <paramref name="count"/> cases of <paramref name="cases"/> with FsCheck, from a
    /// seed that a failure names (set NETLAB_FUZZ_SEED to it to run the same cases again).
    /// </summary>
    private static void Run(Gen<LabText> cases, int count, Action<LabText> property)
    {
        var seed = FuzzCases.Seed();
        var clock = Stopwatch.StartNew();
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count)
            .WithQuietOnSuccess(true)
            .WithReplay(Microsoft.FSharp.Core.FSharpOption<Replay>.Some(new Replay(new Rnd(seed), Microsoft.FSharp.Core.FSharpOption<int>.None)));
        var ran = 0;
        var valid = 0;
        try
        {
            Check.One(config, Prop.ForAll(cases.ToArbitrary(), (LabText text) =>
            {
                ran++;
                property(text);
                valid += LabFormat.LoadAndValidate(text.Text, text.Format).Lab is null ? 0 : 1;
            }));
        }
        catch (Exception failure)
        {
            throw new Xunit.Sdk.XunitException($"{failure.Message}\n(seed {seed}: {FuzzCases.SeedVariable}={seed} runs these cases again)");
        }

        // Ran as many as asked: a property FsCheck never ran would pass without a word.
        Assert.Equal(count, ran);
        TestContext.Current.SendDiagnosticMessage($"{ran} cases in {clock.Elapsed.TotalSeconds:0.0} s, {valid} of them valid labs (seed {seed})");
    }
}
