using NetLab.Agent.Engine;
using NetLab.Netlink.Capture;

namespace NetLab.Agent.Tests.Engine;

/// <summary>A capture's queue in the agent, bounded in bytes of snap length, without a kernel.</summary>
public sealed class LabCaptureTests
{
    private const long Budget = 64L * 1024 * 1024;

    [Theory]
    [InlineData(65535, 1023)]
    [InlineData(262144, 255)]
    [InlineData(1500, 4096)]
    [InlineData(1, 4096)]
    public void The_queue_takes_the_budget_divided_by_the_snap_length_and_at_most_4096_frames(int snapLength, int frames) =>
        Assert.Equal(frames, LabCapture.QueuedFrames(snapLength, Budget));

    [Fact]
    public void No_snap_length_lets_a_full_queue_hold_more_than_the_budget()
    {
        for (var snapLength = 1; snapLength <= PacketCapture.MaxSnapLength; snapLength += 997)
        {
            var frames = LabCapture.QueuedFrames(snapLength, Budget);
            Assert.InRange(frames, 1, PacketCapture.MaxQueuedFrames);
            Assert.True((long)frames * (snapLength + PacketCapture.VlanTagLength) <= Budget, $"snap length {snapLength}: {frames} frames");
        }
    }

    [Fact]
    public void A_budget_below_one_frame_still_queues_one() =>
        Assert.Equal(1, LabCapture.QueuedFrames(PacketCapture.MaxSnapLength, 1000));
}
