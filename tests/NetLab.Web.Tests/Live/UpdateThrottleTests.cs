using NetLab.Web.Model;

namespace NetLab.Web.Tests.Live;

public sealed class UpdateThrottleTests
{
    [Fact]
    public async Task A_burst_of_signals_becomes_one_update_after_the_interval()
    {
        var updates = 0;
        var updated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var throttle = new UpdateThrottle(TimeSpan.FromMilliseconds(50), () =>
        {
            Interlocked.Increment(ref updates);
            updated.TrySetResult();
            return Task.CompletedTask;
        }, TimeProvider.System);

        for (var i = 0; i < 1000; i++)
        {
            throttle.Signal();
        }

        await updated.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(1, Volatile.Read(ref updates));

        throttle.Signal();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(2, Volatile.Read(ref updates));
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
