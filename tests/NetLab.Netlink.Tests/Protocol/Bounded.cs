namespace NetLab.Netlink.Tests.Protocol;

/// <summary>Runs parsing work on the thread pool and fails the test, instead of hanging it, when it does not finish in time.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    /// <param name="work">the work; it may report what it is doing through the <see cref="Progress"/> it is given</param>
    /// <param name="context">what to print if it hangs, e.g. the seed</param>
    public static async Task<T> RunAsync<T>(Func<Progress, T> work, string context)
    {
        var progress = new Progress();
        var task = Task.Run(() => work(progress), TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(task, Task.Delay(Budget, TestContext.Current.CancellationToken));
        if (finished != task)
        {
            Assert.Fail($"Parsing did not finish within {Budget.TotalSeconds} s (a parser loop that does not advance?). {context}. Last started: {progress.Current}");
        }

        return await task;
    }

    /// <summary>The step a worker last started, readable from another thread.</summary>
    internal sealed class Progress
    {
        private volatile string _current = "(nothing yet)";

        public string Current => _current;

        public void Started(string step) => _current = step;
    }
}
