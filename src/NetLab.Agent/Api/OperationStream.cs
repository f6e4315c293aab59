using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Api;

/// <summary>
/// Runs an apply or destroy and turns its progress reports into the stream the API sends: progress items as they
/// happen, then one result item (or one error item when the engine threw). The agent's endpoints and the CLI's
/// in-process mode both use it, so both print the same lines.
/// </summary>
public static class OperationStream
{
    public static async IAsyncEnumerable<ApplyStreamItem> Run(
        Func<IProgress<OperationProgress>, CancellationToken, Task<ApplyResult>> operation,
        CancellationToken operationCancellation,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);

        // Unbounded: the engine must never wait for a slow reader between two kernel operations.
        var items = Channel.CreateUnbounded<ApplyStreamItem>(new UnboundedChannelOptions { SingleReader = true });
        var progress = new ChannelProgress(items.Writer);

        // The engine runs on its own task so that its synchronous stretches cannot hold back the lines already reported.
        var running = Task.Run(
            async () =>
            {
                try
                {
                    var result = await operation(progress, operationCancellation).ConfigureAwait(false);
                    items.Writer.TryWrite(new ApplyStreamItem(null, result));
                }
#pragma warning disable CA1031 // Every failure becomes the stream's last line; nothing may escape unseen.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    items.Writer.TryWrite(new ApplyStreamItem(null, null, AgentErrors.FromException(error).Error));
                }
                finally
                {
                    items.Writer.TryComplete();
                }
            },
            CancellationToken.None);

        await foreach (var item in items.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }

        await running.ConfigureAwait(false);
    }

    /// <summary>Reports in the order the engine reports (Progress&lt;T&gt; would post to the thread pool and could reorder).</summary>
    private sealed class ChannelProgress(ChannelWriter<ApplyStreamItem> writer) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value) => writer.TryWrite(new ApplyStreamItem(value, null));
    }
}
