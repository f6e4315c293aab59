namespace NetLab.Core.Tests.Formats;

/// <summary>
/// Runs a read on a thread with a small stack (256 KiB), so that a reader that recursed per nesting level would fail
/// the test long before a hostile text's 200,000 levels (a stack overflow ends the process and cannot be caught).
/// </summary>
internal static class SmallStack
{
    private const int StackBytes = 256 * 1024;

    public static T Run<T>(Func<T> read)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = read();
                }
                catch (Exception error)
                {
                    failure = error;
                }
            },
            StackBytes);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the read did not end within a minute");
        Assert.Null(failure);
        return result!;
    }
}
