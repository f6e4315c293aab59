using System.Diagnostics;
using System.Globalization;

namespace NetLab.Cli.Tests.Faults;

/// <summary>
/// kill -9 of the agent, of the web and of the launcher at seeded random points of an apply, a destroy and an experiment
/// run, each started from the dashboard in a real browser. After each kill the test checks what must follow (under `up`
/// the web stops with its launcher, and `up` with its web; a split web outlives its agent), starts what is gone again
/// on the same socket, URL and store, and checks the safe outcome:
/// <list type="bullet">
/// <item>the kernel converges: the plan back to the revision creates exactly the namespaces that are missing and removes
/// nothing, and the dashboard's apply then shows that plan and records the revision; destroy removes every namespace
/// the lab had, and none of them lives on without a name;</item>
/// <item>the store agrees with the kernel once the web is back: a lab the kernel holds exactly is recorded as applied, a
/// lab it does not hold is not, and a lab it holds in part keeps what it recorded before; no run stays "running";</item>
/// <item>no process is left behind once NetLab is stopped.</item>
/// </list>
/// The points come from <see cref="FaultSeed"/>: another set every run, replayed with the seed the output shows.
/// </summary>
[Collection(NetlabUpCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KillDuringOperationsTests
{
    /// <summary>Lab namespaces besides the switch and the host: an apply takes some 100-300 ms, long enough to land in.</summary>
    private const int LabNamespaces = 24;

    private const int Total = LabNamespaces + 2;

    /// <summary>How far after the kernel's part a point may lie: the apply's links and addresses, a run's check, the web's recording.</summary>
    private static readonly TimeSpan AfterKernel = TimeSpan.FromMilliseconds(1500);

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StoreAgreement = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private enum Operation
    {
        Apply,
        Destroy,
        Run,
    }

    [Fact]
    public Task Kill_9_of_the_agent_during_an_apply_a_destroy_and_a_run_converges_and_the_web_lives_on() =>
        KillDuringOperationsAsync(Victim.Agent, Deployment.Split);

    [Fact]
    public Task Kill_9_of_the_web_during_an_apply_a_destroy_and_a_run_stops_up_and_the_next_up_converges() =>
        KillDuringOperationsAsync(Victim.Web, Deployment.Up);

    [Fact]
    public Task Kill_9_of_the_launcher_during_an_apply_a_destroy_and_a_run_stops_the_web_and_the_next_up_converges() =>
        KillDuringOperationsAsync(Victim.Launcher, Deployment.Up);

    private static async Task KillDuringOperationsAsync(Victim victim, Deployment deployment)
    {
        Assert.SkipWhen(Environment.UserName != "root", "The fault tests run the agent (root) and change the kernel; run the suite as root.");
        Assert.SkipUnless(File.Exists(Dashboard.ChromiumPath), $"The fault tests drive the dashboard in Debian's Chromium at {Dashboard.ChromiumPath} (apt-get install chromium); scripts/test.sh installs it.");

        var random = FaultSeed.For(victim.ToString());
        var lab = string.Create(CultureInfo.InvariantCulture, $"nltestk{victim.ToString().ToLowerInvariant()}{Environment.ProcessId}");
        var yaml = FaultKernel.Lab(lab, LabNamespaces);
        var watch = new KillWatch();
        var story = new List<string> { FaultSeed.Replay };
        using var user = new DedicatedUserScope();
        var processes = NetLabProcesses.Create(deployment);
        string? kernelLab = null;
        try
        {
            await processes.StartAsync(Cancel);
            await using var dashboard = await Dashboard.StartAsync(processes, Cancel);
            var labId = await dashboard.ImportAsync(yaml, lab);
            kernelLab = processes.Store.KernelName(labId);
            var context = new Context(processes, dashboard, watch, kernelLab, labId, yaml, story);
            for (var round = 1; round <= FaultSeed.Points; round++)
            {
                foreach (var operation in new[] { Operation.Apply, Operation.Destroy, Operation.Run })
                {
                    var point = KillPoint.Choose(random, Total, AfterKernel);
                    await KillAndRecoverAsync(context, victim, operation, point);
                }
            }

            await processes.StopAsync(Cancel);
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', story));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{error.Message}\n\nwhat happened ({FaultSeed.Replay}):\n{string.Join('\n', story)}\n\nprocess output:\n{processes.Output}", error);
        }
        finally
        {
            await processes.DisposeAsync();
            if (kernelLab is not null)
            {
                FaultKernel.Remove(kernelLab);
            }

            processes.DeleteFolder();
        }
    }

    // Lab is the lab's kernel name (its namespaces are nl-LAB.ELEMENT), as the store gave it on import.
    private sealed record Context(NetLabProcesses Processes, Dashboard Dashboard, KillWatch Watch, string Lab, long LabId, string Yaml, List<string> Story);

    private static async Task KillAndRecoverAsync(Context context, Victim victim, Operation operation, KillPoint point)
    {
        var (processes, dashboard, watch, lab, labId) = (context.Processes, context.Dashboard, context.Watch, context.Lab, context.LabId);
        await dashboard.OpenLabAsync(labId);
        var before = processes.Store.Lab(labId);
        var runsBefore = processes.Store.Runs(labId).Count;
        Assert.Equal(operation == Operation.Destroy ? Total : 0, watch.Look(lab)); // destroy starts from the lab applied, the others from nothing

        context.Story.Add($"{operation}: killing the {victim} {point}");
        var whole = (await FaultKernel.PlanAsync(processes.Socket, context.Yaml, lab, Cancel)).Operations.Count;
        var clock = Stopwatch.StartNew();
        var kill = watch.KillAtAsync(lab, Total, operation == Operation.Destroy ? Counting.Down : Counting.Up, point, () => processes.Kill(victim), KillTimeout);
        switch (operation)
        {
            case Operation.Apply:
                Assert.Equal(whole, await dashboard.StartApplyAsync()); // the dialog shows the agent's plan
                break;
            case Operation.Destroy:
                await dashboard.StartDestroyAsync();
                break;
            default:
                await dashboard.StartRunAsync($"killed {point}");
                break;
        }

        var killed = await kill;
        Assert.True(killed.Reached, $"{operation}: {killed.Description}: the operation stopped short of the point by itself");
        var cascade = await processes.AfterKillAsync(victim, Cancel);
        await processes.StartAsync(Cancel);
        context.Story.Add($"{operation}, {victim} {killed.Description}; {cascade}; restarted after {clock.ElapsedMilliseconds} ms");

        await CheckConvergesAsync(context, operation, before.Applied);
        if (operation == Operation.Run)
        {
            await CheckNoRunLeftRunningAsync(processes.Store, labId, runsBefore + 1);
        }

        if (operation == Operation.Apply)
        {
            await ApplyThroughTheWebAsync(context);
        }
        else
        {
            await DestroyThroughTheWebAsync(context);
        }
    }

    /// <summary>
    /// The plan back to the revision creates what is missing and removes nothing; the store agrees with what the kernel
    /// holds: all of it (recorded applied), none of it (recorded not applied), or a part (what was recorded before stays).
    /// </summary>
    private static async Task CheckConvergesAsync(Context context, Operation operation, int? appliedBefore)
    {
        var plan = await FaultKernel.PlanAsync(context.Processes.Socket, context.Yaml, context.Lab, Cancel);
        // After the plan: the agent removes a name it left half-made when it observes the lab.
        var present = FaultKernel.Namespaces(context.Lab);
        Assert.DoesNotContain(plan.Operations, o => o.Kind.StartsWith("Delete", StringComparison.Ordinal));
        Assert.Equal(Total - present.Count, plan.Operations.Count(o => o.Kind == "CreateNamespace"));

        var (holds, expected) = present.Count == 0 ? ("none of the lab", (int?)null)
            : plan.Operations.Count == 0 ? ("all of revision 1", 1)
            : ($"a part ({present.Count} of {Total} namespaces, {plan.Operations.Count} operations missing)", appliedBefore);
        var applied = await WaitForAppliedAsync(context.Processes.Store, context.LabId, expected);
        context.Story.Add($"  the kernel holds {holds}; the store records {(applied is { } number ? $"revision {number}" : "nothing")} as applied");
        Assert.True(applied == expected, $"after the {operation} was cut short the kernel holds {holds}, but the store records {(applied is { } n ? $"revision {n}" : "nothing")} as applied (expected {(expected is { } e ? $"revision {e}" : "nothing")}) {StoreAgreement.TotalSeconds:0} s after the web was back");
    }

    /// <summary>The store's applied revision once it equals <paramref name="expected"/>, or what it is after the wait.</summary>
    private static async Task<int?> WaitForAppliedAsync(StoreFile store, long labId, int? expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var applied = store.Lab(labId).Applied;
            if (applied == expected || clock.Elapsed > StoreAgreement)
            {
                return applied;
            }

            await Task.Delay(250, Cancel);
        }
    }

    /// <summary>The run the kill cut short ended (failed, or interrupted by the web's restart); none stays "running".</summary>
    private static async Task CheckNoRunLeftRunningAsync(StoreFile store, long labId, int runs)
    {
        var clock = Stopwatch.StartNew();
        while (store.Runs(labId).Any(r => r.Status == "running") && clock.Elapsed < StoreAgreement)
        {
            await Task.Delay(250, Cancel);
        }

        var all = store.Runs(labId);
        Assert.Equal(runs, all.Count);
        Assert.DoesNotContain(all, r => r.Status == "running");
    }

    /// <summary>Apply from the dashboard: its plan is the agent's (what is missing), and the revision ends recorded as applied.</summary>
    private static async Task ApplyThroughTheWebAsync(Context context)
    {
        var missing = (await FaultKernel.PlanAsync(context.Processes.Socket, context.Yaml, context.Lab, Cancel)).Operations.Count;
        await context.Dashboard.OpenLabAsync(context.LabId);
        Assert.Equal(missing, await context.Dashboard.StartApplyAsync());
        if (missing > 0)
        {
            Assert.Contains("Revision 1 is recorded as applied", await context.Dashboard.WaitSucceededAsync(), StringComparison.Ordinal);
        }

        Assert.Empty((await FaultKernel.PlanAsync(context.Processes.Socket, context.Yaml, context.Lab, Cancel)).Operations);
        Assert.Equal(Total, FaultKernel.Namespaces(context.Lab).Count);
        Assert.Equal(1, await WaitForAppliedAsync(context.Processes.Store, context.LabId, 1));
    }

    /// <summary>Destroy from the dashboard: nothing of the lab is left, none of its namespaces lives on without a name, and the store records nothing applied.</summary>
    private static async Task DestroyThroughTheWebAsync(Context context)
    {
        _ = context.Watch.Look(context.Lab);
        await context.Dashboard.OpenLabAsync(context.LabId);
        await context.Dashboard.StartDestroyAsync();
        Assert.Contains("Destroyed", await context.Dashboard.WaitSucceededAsync(), StringComparison.Ordinal);
        Assert.Empty(FaultKernel.Namespaces(context.Lab));
        Assert.Empty(FaultKernel.Nameless(context.Watch.Inodes, [context.Processes.AgentPid, context.Processes.WebPid]));
        Assert.Null(await WaitForAppliedAsync(context.Processes.Store, context.LabId, null));
    }
}
