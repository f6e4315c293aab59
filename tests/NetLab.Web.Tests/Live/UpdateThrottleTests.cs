using Microsoft.Extensions.Time.Testing;
using NetLab.Web.Model;

namespace NetLab.Web.Tests.Live;

public sealed class UpdateThrottleTests
{
    [Fact]
    public void A_burst_of_signals_becomes_one_update_after_the_interval()
    {
        // Fake time: on a loaded machine a real 50 ms interval can pass in the middle of the burst.
        var time = new FakeTimeProvider();
        var updates = 0;
        using var throttle = new UpdateThrottle(TimeSpan.FromMilliseconds(50), () =>
        {
            updates++;
            return Task.CompletedTask;
        }, time);

        for (var i = 0; i < 1000; i++)
        {
            throttle.Signal();
        }

        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(0, updates);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, updates);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, updates);

        throttle.Signal();
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, updates);
    }

    [Fact]
    public async Task No_update_runs_after_dispose()
    {
        var updates = 0;
        var throttle = new UpdateThrottle(TimeSpan.FromMilliseconds(50), () =>
        {
            Interlocked.Increment(ref updates);
            return Task.CompletedTask;
        }, TimeProvider.System);

        throttle.Signal();
        throttle.Dispose();
        throttle.Signal();
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.Equal(0, Volatile.Read(ref updates));
    }

    [Fact]
    public void With_leading_edge_a_first_signal_updates_at_once_and_the_rest_of_the_burst_waits()
    {
        var updates = 0;
        using var throttle = new UpdateThrottle(TimeSpan.FromHours(1), () =>
        {
            Interlocked.Increment(ref updates);
            return Task.CompletedTask;
        }, TimeProvider.System, leading: true);

        throttle.Signal();
        Assert.Equal(1, Volatile.Read(ref updates));

        for (var i = 0; i < 100; i++)
        {
            throttle.Signal();
        }

        // The rest of the burst rides on one update an interval (an hour here) after the first.
        Assert.Equal(1, Volatile.Read(ref updates));
    }
}
