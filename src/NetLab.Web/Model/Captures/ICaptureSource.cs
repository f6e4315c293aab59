using System.Runtime.CompilerServices;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Model.Captures;

/// <summary>Where frames come from: the agent in the app (the web cannot open packet sockets), a Channel-fed fake in tests.</summary>
public interface ICaptureSource
{
    /// <summary>Started, then frames, until <paramref name="cancellationToken"/> (or Ended/Error from the agent).</summary>
    IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string lab, CaptureRequest request, CancellationToken cancellationToken);
}

/// <summary>The agent's <c>POST /v1/labs/{name}/captures</c>.</summary>
public sealed class AgentCaptureSource(AgentClient agent) : ICaptureSource
{
    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string lab, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in agent.CaptureAsync(lab, request, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
