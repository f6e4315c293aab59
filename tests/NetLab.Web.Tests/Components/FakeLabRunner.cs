using System.Collections.Concurrent;
using System.Threading.Channels;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// A runner a test drives: it answers the plan it is given, and during apply/destroy forwards the progress a test
/// writes (from another thread, as the agent's stream does) until the test completes <see cref="Outcome"/>.
/// </summary>
public sealed class FakeLabRunner : ILabRunner
{
    public const string Lab = "demo";

    public static IReadOnlyList<PlannedOperation> Operations { get; } =
    [
        new(0, "namespace-add", "hosts.h1", "nl-demo-h1", "ip netns add nl-demo-h1"),
        new(1, "link-add", "hosts.h1.nics.eth0", "nl-demo-h1", "ip -n nl-demo-h1 link add eth0 type veth peer name p1"),
        new(2, "link-set-up", "hosts.h1.nics.eth0", "nl-demo-h1", "ip -n nl-demo-h1 link set eth0 up"),
    ];

    public ConcurrentQueue<string> Calls { get; } = new();

    public RunnerOutcome<PlanView> PlanOutcome { get; set; } = RunnerOutcome<PlanView>.Success(new PlanView(Lab, Operations, []));

    public Channel<OperationProgress> Progress { get; } = Channel.CreateUnbounded<OperationProgress>();

    public TaskCompletionSource<RunnerOutcome<ApplyResult>> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What a connectivity check answers; pending until a test completes it, so the progress indicator can be seen.</summary>
    public TaskCompletionSource<RunnerOutcome<ProbeReport>> ProbeOutcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static OperationProgress ProgressOf(int index, OperationStatus status, double milliseconds = 0.5, string? error = null) =>
        new(index, Operations.Count, Operations[index], status, milliseconds, error);

    public static RunnerOutcome<ApplyResult> Succeeded() =>
        RunnerOutcome<ApplyResult>.Success(new ApplyResult(Lab, true, Operations.Count, Operations.Count, 1.5));

    public Task<RunnerOutcome<PlanView>> PlanAsync(string yaml, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("plan");
        return Task.FromResult(PlanOutcome);
    }

    public Task<RunnerOutcome<ApplyResult>> ApplyAsync(string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue("apply");
        return RunAsync(onProgress);
    }

    public Task<RunnerOutcome<ApplyResult>> DestroyAsync(string labName, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"destroy {labName}");
        return RunAsync(onProgress);
    }

    public Task<RunnerOutcome<ProbeReport>> ProbeAsync(string labName, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"probe {labName}");
        return ProbeOutcome.Task;
    }

    private async Task<RunnerOutcome<ApplyResult>> RunAsync(Action<OperationProgress> onProgress)
    {
        var forwarding = Task.Run(async () =>
        {
            await foreach (var progress in Progress.Reader.ReadAllAsync())
            {
                onProgress(progress);
            }
        });
        var outcome = await Outcome.Task;
        Progress.Writer.TryComplete();
        await forwarding;
        return outcome;
    }
}
