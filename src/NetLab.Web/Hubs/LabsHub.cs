using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Labs;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Hubs;

/// <summary>
/// The public live-state hub at <see cref="Path"/> (docs/web-api.md): the same events the dashboard shows, for other
/// clients. A client that reconnects calls <see cref="Watch"/> again and starts from fresh snapshots.
/// </summary>
public sealed class LabsHub(LiveLabs live, TimeProvider time, RunStore runs, LabReaders readers, Courses.GradeExplanations explanations) : Hub
{
    public const string Path = "/hubs/labs";

    /// <summary>The connection's signed-in user (the hub requires one: the web's fallback authorization policy).</summary>
    private CurrentUser SignedInUser => CurrentUser.From(Context.User) ?? throw new HubException("Sign in first: the hub answers signed-in users only.");

    /// <summary>How often a stream of a run still going on looks for new entries.</summary>
    public static readonly TimeSpan RunPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A snapshot of each namespace of the lab, then every change, until the client stops the stream. Read from the
    /// lab's shared live state: any number of clients cost the agent one event stream per lab. <paramref name="lab"/> is
    /// the kernel name of a lab the signed-in user may read (<see cref="LabReaders"/>: their own, or a student's copy of
    /// an assignment they teach; <see cref="LabSummary.KernelName"/>); any other name is refused as if no lab had it, and
    /// the watch acts for the lab's owner at the agent.
    /// </summary>
    public async IAsyncEnumerable<LabEvent> Watch(string lab, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (LabName.Problem(lab) is { } problem)
        {
            // Thrown from inside the stream: only there does SignalR pass a HubException's message on to the client.
            throw new HubException(problem);
        }

        // The signed-in user's own lab, or a student's copy they teach (LabReaders); anything else is "no such lab".
        if (await readers.ReadKernelLabAsync(SignedInUser, lab).ConfigureAwait(false) is not { Kernel: var kernel })
        {
            throw new HubException($"You have no lab the kernel knows as {lab}: a lab's kernel name is shown on its page.");
        }

        using var lease = live.Watch(kernel);
        var changes = Channel.CreateUnbounded<LabEvent>(new UnboundedChannelOptions { SingleReader = true });
        var (current, listening) = lease.State.Listen(change => changes.Writer.TryWrite(change), time.GetUtcNow());
        using (listening)
        {
            foreach (var snapshot in current)
            {
                yield return snapshot;
            }

            await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
    }

    /// <summary>
    /// A run's entries in order, from the first; for a run still going on, then each new entry as it is committed,
    /// until the run finishes (the stream then ends) or the client stops it.
    /// </summary>
    public async IAsyncEnumerable<RunEntry> RunHistory(long runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The run's lab's reading rule (LabReaders): the owner's id reads the store, whoever asks.
        if (await readers.ReadRunAsync(SignedInUser, runId).ConfigureAwait(false) is not { OwnerId: var ownerId } ||
            await runs.GetRunAsync(ownerId, runId).ConfigureAwait(false) is not { } run)
        {
            throw new HubException($"There is no run {runId}: the runs of a lab are listed on its History page.");
        }

        // A student's copy of an assignment that does not explain failed checks: its grades come without the words.
        var hidden = await explanations.HiddenAsync(SignedInUser.Id, run.Summary.LabId).ConfigureAwait(false);

        long last = 0;
        while (true)
        {
            // Read the status before the entries: a run that finished after this read still has its last entries read below.
            var finished = (await runs.GetRunAsync(ownerId, runId).ConfigureAwait(false))?.Summary.Status is not RunStatus.Running;
            foreach (var entry in await runs.GetEntriesAsync(ownerId, runId, last).ConfigureAwait(false))
            {
                last = entry.Sequence;
                yield return hidden ? Courses.GradeExplanations.Without(entry) : entry;
            }

            if (finished)
            {
                yield break;
            }

            await Task.Delay(RunPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
