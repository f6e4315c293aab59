using NetLab.Agent.Engine;

namespace NetLab.Agent.Tests.Engine;

/// <summary>The wave arithmetic: estimate, budget, wave size and split, without a kernel.</summary>
public sealed class ProbeWavesTests
{
    [Fact]
    public void A_pair_counts_an_entry_on_each_side()
    {
        Assert.Equal(2, ProbeWaves.EstimatedEntries(1, 1));
        Assert.Equal(51L * 50 * 2, ProbeWaves.EstimatedEntries(51, 50));
        Assert.Equal(2L * 60_000 * 60_000, ProbeWaves.EstimatedEntries(60_000, 60_000));
    }

    [Theory]
    [InlineData(1024, 2, 511)]
    [InlineData(1024, 0, 512)]
    [InlineData(1024, 1023, 0)]
    [InlineData(1024, 1024, 0)]
    [InlineData(1024, 5000, 0)]
    public void The_budget_is_half_the_room_left_below_gc_thresh3(int threshold, int entries, int budget) =>
        Assert.Equal(budget, ProbeWaves.BudgetOf(threshold, entries));

    [Fact]
    public void Within_budget_every_source_probes_at_once()
    {
        // 10 sources x 10 targets x 2 = 200 entries.
        Assert.Equal(10, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 200)]));
        Assert.Equal(10, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 511)]));
        Assert.Single(ProbeWaves.Split(10, 10));
    }

    [Fact]
    public void Over_budget_a_wave_holds_as_many_sources_as_the_budget_has_room_for()
    {
        // A source of 10 targets needs 20 entries: 199 entries hold 9 sources.
        Assert.Equal(9, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 199)]));
        Assert.Equal(3, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 60)]));

        // The default machine and a 40-namespace lab: 41 sources x 40 targets, 511 entries of room.
        Assert.Equal(6, ProbeWaves.WaveSize(41, [new FamilyLoad(40, 511)]));
        Assert.Equal(7, ProbeWaves.Split(41, 6).Count);
    }

    [Fact]
    public void The_tightest_family_sets_the_size_and_a_family_without_targets_or_numbers_sets_none()
    {
        Assert.Equal(2, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 100), new FamilyLoad(5, 20)]));
        Assert.Equal(5, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 100), new FamilyLoad(0, 0)]));
        Assert.Equal(10, ProbeWaves.WaveSize(10, [new FamilyLoad(10, null)]));
        Assert.Equal(10, ProbeWaves.WaveSize(10, []));
    }

    [Fact]
    public void A_source_that_alone_exceeds_the_budget_still_runs_one_at_a_time()
    {
        Assert.Equal(1, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 5)]));
        Assert.Equal(1, ProbeWaves.WaveSize(10, [new FamilyLoad(10, 0)]));
        Assert.Equal(1, ProbeWaves.WaveSize(0, [new FamilyLoad(10, 0)]));
    }

    [Fact]
    public void Waves_cover_every_source_once_in_order()
    {
        var waves = ProbeWaves.Split(10, 3);

        Assert.Equal([0..3, 3..6, 6..9, 9..10], waves);
        Assert.Equal(Enumerable.Range(0, 10), waves.SelectMany(w => Enumerable.Range(w.Start.Value, w.End.Value - w.Start.Value)));
    }

    [Fact]
    public void No_sources_is_one_empty_wave_and_a_zero_wave_size_is_refused()
    {
        Assert.Equal([0..0], ProbeWaves.Split(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeWaves.Split(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeWaves.WaveSize(-1, []));
    }
}
