using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;

namespace NetLab.Agent.Tests.Engine;

/// <summary>The probe's request checks, made before the lab is locked, without a kernel.</summary>
public sealed class LabProberTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_001)]
    [InlineData(60_000)]
    public void A_timeout_outside_1_to_10000_ms_is_refused_naming_the_range(int timeout)
    {
        var refused = Assert.Throws<ArgumentException>(() => LabProber.CheckRequest(new ProbeRequest(timeout)));

        Assert.Contains($"A probe timeout of {timeout} ms is out of range: give 1 to 10000 ms", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(10_000)]
    public void A_timeout_within_the_range_is_taken(int timeout) =>
        Assert.Null(Record.Exception(() => LabProber.CheckRequest(new ProbeRequest(timeout))));
}
