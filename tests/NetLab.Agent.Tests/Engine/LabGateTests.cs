using NetLab.Agent.Engine;

namespace NetLab.Agent.Tests.Engine;

/// <summary>A lab's reader/writer gate and its holders, without a kernel.</summary>
public sealed class LabGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readers_share_the_lab_and_a_writer_waits_for_all_of_them()
    {
        var gate = new LabGate();
        var first = await gate.ReadAsync(Cancel);
        var second = await gate.ReadAsync(Cancel);

        var writing = gate.WriteAsync(Cancel);
        await Task.Delay(100, Cancel);
        Assert.False(writing.IsCompleted, "a writer must wait for the readers inside");
        first.Dispose();
        await Task.Delay(100, Cancel);
        Assert.False(writing.IsCompleted, "one reader is still inside");
        second.Dispose();

        (await writing.WaitAsync(Patience, Cancel)).Dispose();
    }

    [Fact]
    public async Task A_waiting_writer_keeps_new_readers_out_so_a_stream_of_reads_cannot_starve_it()
    {
        var gate = new LabGate();
        var inside = await gate.ReadAsync(Cancel);
        var writing = gate.WriteAsync(Cancel);

        var later = gate.ReadAsync(Cancel);
        await Task.Delay(100, Cancel);
        Assert.False(later.IsCompleted, "a reader arriving after a waiting writer waits for it");
        Assert.Null(gate.TryRead());

        inside.Dispose();
        var write = await writing.WaitAsync(Patience, Cancel);
        Assert.False(later.IsCompleted, "the writer holds the lab alone");
        write.Dispose();
        (await later.WaitAsync(Patience, Cancel)).Dispose();
        using var read = gate.TryRead();
        Assert.NotNull(read);
    }

    [Fact]
    public async Task A_cancelled_writer_lets_readers_in_again()
    {
        var gate = new LabGate();
        var inside = await gate.ReadAsync(Cancel);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var writing = gate.WriteAsync(giveUp.Token);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);
        (await gate.ReadAsync(Cancel).WaitAsync(Patience, Cancel)).Dispose();
        inside.Dispose();
        (await gate.WriteAsync(Cancel).WaitAsync(Patience, Cancel)).Dispose();
    }

    [Fact]
    public void Only_holders_still_held_are_asked_to_let_go_and_of_the_names_given()
    {
        var gate = new LabGate();
        var kept = new RecordingHolder();
        var gone = new RecordingHolder();
        using var holding = gate.Hold(kept);
        gate.Hold(gone).Dispose();

        gate.LetGo(new HashSet<string>(["nl-a.ns2"], StringComparer.Ordinal));
        gate.LetGo(new HashSet<string>(StringComparer.Ordinal));

        Assert.Equal(["nl-a.ns2"], kept.Asked);
        Assert.Empty(gone.Asked);
    }

    [Fact]
    public void A_gate_lives_while_used_and_is_dropped_with_its_last_user()
    {
        var gates = new LabGates();
        var first = gates.Use("a");
        var second = gates.Use("a");
        using var other = gates.Use("b");

        Assert.Same(first.Gate, second.Gate);
        Assert.Equal(2, gates.Count);
        first.Dispose();
        first.Dispose();
        Assert.Equal(2, gates.Count);
        second.Dispose();
        Assert.Equal(1, gates.Count);
        using var again = gates.Use("a");
        Assert.NotSame(first.Gate, again.Gate);
    }

    private sealed class RecordingHolder : INamespaceHolder
    {
        public List<string> Asked { get; } = [];

        public void LetGo(IReadOnlySet<string> kernelNames) => Asked.AddRange(kernelNames);
    }
}
