using System.Diagnostics;
using System.Globalization;
using NetLab.Netlink.Namespaces;

namespace NetLab.Cli.Tests.Faults;

/// <summary>Which way the lab's namespaces count while an operation runs.</summary>
internal enum Counting
{
    /// <summary>An apply (or a run's apply) makes them.</summary>
    Up,

    /// <summary>A destroy deletes them.</summary>
    Down,
}

/// <summary>
/// Where in an operation a process is killed, as the kernel shows it: once <see cref="Step"/> of the lab's namespaces are
/// made (an apply) or deleted (a destroy), then <see cref="Delay"/> later. A step past the last namespace with a delay is a
/// point after the kernel's part: the agent's last settling and answer, the web recording it, a run's check of
/// connectivity.
/// </summary>
internal sealed record KillPoint(int Step, TimeSpan Delay)
{
    /// <summary>One point in an operation over <paramref name="namespaces"/> namespaces: in the kernel's part (three times in four) or up to <paramref name="after"/> after it.</summary>
    public static KillPoint Choose(Random random, int namespaces, TimeSpan after) =>
        random.Next(4) == 0
            ? new KillPoint(namespaces, TimeSpan.FromMilliseconds(random.Next(0, (int)after.TotalMilliseconds + 1)))
            : new KillPoint(random.Next(1, namespaces + 1), TimeSpan.Zero);

    public override string ToString() =>
        Delay == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"after namespace {Step}")
            : string.Create(CultureInfo.InvariantCulture, $"{Delay.TotalMilliseconds:0} ms after namespace {Step} (the last)");
}

/// <summary>
/// Watches a lab's namespaces on a thread of its own (a namespace takes a millisecond or two to make, so the pool's
/// latency would blur the point) and kills when the point is reached. It remembers every namespace inode it saw, so
/// that a later check can tell whether one lives on without a name.
/// </summary>
internal sealed class KillWatch
{
    private readonly HashSet<ulong> _inodes = [];

    /// <summary>The nsfs inodes of the lab's namespaces seen while watching.</summary>
    public IReadOnlySet<ulong> Inodes => _inodes;

    /// <summary>How many of the lab's namespaces existed when the kill was sent, and a description for messages.</summary>
    public sealed record Outcome(int NamespacesAtKill, bool Reached, string Description);

    /// <summary>
    /// Starts watching <paramref name="lab"/> (its namespaces <c>nl-LAB.*</c>): when <paramref name="point"/> is reached,
    /// or <paramref name="timeout"/> passed, runs <paramref name="kill"/>.
    /// </summary>
    public Task<Outcome> KillAtAsync(string lab, int total, Counting counting, KillPoint point, Action kill, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Watch(lab, total, counting, point, kill, timeout));
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "kill watch",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Records the inodes of the lab's namespaces now (before a destroy that is watched from its first deletion).</summary>
    public int Look(string lab) => LabNamespaces(lab).Count;

    private Outcome Watch(string lab, int total, Counting counting, KillPoint point, Action kill, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var reached = false;
        while (clock.Elapsed < timeout)
        {
            var count = LabNamespaces(lab).Count;
            var progress = counting == Counting.Up ? count : total - count;
            if (progress >= point.Step)
            {
                reached = true;
                break;
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(0.5));
        }

        if (reached && point.Delay > TimeSpan.Zero)
        {
            Thread.Sleep(point.Delay);
        }

        kill();
        var atKill = LabNamespaces(lab).Count;
        var description = reached
            ? $"killed {point} ({atKill} of {total} namespaces present)"
            : $"killed after {timeout.TotalSeconds:0} s without reaching {point} ({atKill} of {total} namespaces present)";
        return new Outcome(atKill, reached, description);
    }

    /// <summary>The lab's namespace names now; each new one's inode is remembered.</summary>
    private List<string> LabNamespaces(string lab)
    {
        var names = FaultKernel.Namespaces(lab);
        foreach (var name in names)
        {
            // A name whose mount is not made yet (or no longer) is a plain file of /run/netns, not a namespace.
            if (NetworkNamespace.StatusOf(name) is { Inode: >= FaultKernel.FirstNamespaceInode } status)
            {
                lock (_inodes)
                {
                    _inodes.Add(status.Inode);
                }
            }
        }

        return names;
    }
}
