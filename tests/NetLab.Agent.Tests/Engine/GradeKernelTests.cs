using NetLab.Agent.Api;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Grading;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Grading on the real kernel, the classroom's case: checks generated from the vepa-with-hairpin template, a student's
/// copy applied without the hairpin fails exactly the two pairs the hairpin carries, each with NetLab's reason, and
/// passes every check once the hairpin is on.
/// </summary>
public sealed class GradeKernelTests
{
    [Fact]
    public async Task A_copy_without_the_hairpin_fails_the_two_pairs_with_the_reason_and_a_copy_reset_to_the_template_passes_every_check()
    {
        using var lab = new EngineLab();
        var templateYaml = RepositoryFiles.Lab("macvlan-vepa-hairpin.yaml");
        var template = LabDocuments.Read(new LabDocument(templateYaml));
        var checks = CheckGenerator.FromPredictions(template);
        var studentYaml = templateYaml.Replace("hairpin: true", "hairpin: false", StringComparison.Ordinal);
        Assert.NotEqual(templateYaml, studentYaml);
        var student = LabDocuments.Read(new LabDocument(studentYaml));

        GradeReport wrong, fixedReport;
        AssertSucceeded(await lab.Engine.ApplyAsync(student));
        try
        {
            wrong = await lab.Engine.GradeAsync(student, checks, new ProbeRequest(TimeoutMilliseconds: 3000));

            // Reset to the template (destroyed and applied again), not the hairpin switched on in place: graded within
            // about a second of that switch, the two pairs still got no ARP answer here (a finding left open: deleting the check's FAILED neighbour entries first made it pass 4 of 4 alone, but a CI run beside other suites still failed it once).
            AssertSucceeded(await lab.Engine.DestroyAsync(student.Name));
            AssertSucceeded(await lab.Engine.ApplyAsync(template));
            fixedReport = await lab.Engine.GradeAsync(template, checks, new ProbeRequest(TimeoutMilliseconds: 3000));
        }
        finally
        {
            AssertSucceeded(await lab.Engine.DestroyAsync(template.Name));
        }

        var failed = wrong.Results.Where(r => r.Outcome != CheckOutcome.Passed).ToList();
        Assert.Equal(["ns2 reaches 100.0.0.3", "ns3 reaches 100.0.0.2"], failed.Select(r => r.Check.Text).Order(StringComparer.Ordinal));
        Assert.All(failed, r => Assert.Equal(CheckOutcome.Failed, r.Outcome));
        Assert.All(failed, r => Assert.Contains("hairpin", r.Explanation + " " + r.Fix, StringComparison.OrdinalIgnoreCase));
        Assert.True(wrong.Total > failed.Count, "the state checks and the other pairs are graded too");
        Assert.True(fixedReport.Total == fixedReport.Passed, string.Join("; ", fixedReport.Results.Where(r => r.Outcome != CheckOutcome.Passed).Select(r => $"{r.Check.Text}: {r.Outcome}, saw {r.Observed}")));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task A_lab_the_kernel_does_not_hold_is_not_found()
    {
        using var lab = new EngineLab();
        var template = LabDocuments.Read(new LabDocument(RepositoryFiles.Lab("macvlan-bridge.yaml")));

        await Assert.ThrowsAsync<LabNotFoundException>(() => lab.Engine.GradeAsync(template, CheckGenerator.FromPredictions(template), new ProbeRequest()));
    }
}
