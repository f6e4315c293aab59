using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;

namespace NetLab.Web.Tests.Runs;

/// <summary>
/// The agent's probe and capture as a test drives them: the probe answers <see cref="ProbeOutcome"/>; each capture
/// says Started, then forwards what the test writes to its channel (from another thread, as the agent's stream does).
/// </summary>
public sealed class FakeExperimentAgent : IExperimentAgent
{
    public RunnerOutcome<ProbeReport> ProbeOutcome { get; set; } = RunnerOutcome<ProbeReport>.Success(RunFixtures.Probe());

    /// <summary>Frames per capture, keyed "element/interface"; written by the test.</summary>
    public ConcurrentDictionary<string, Channel<CaptureStreamItem>> Captures { get; } = new();

    /// <summary>When set, a capture on this "element/interface" is refused with this message instead of started.</summary>
    public string? RefuseCaptureOf { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    public Channel<CaptureStreamItem> CaptureOf(string target) => Captures.GetOrAdd(target, _ => Channel.CreateUnbounded<CaptureStreamItem>());

    public Task<RunnerOutcome<ProbeReport>> ProbeAsync(string lab, ProbeRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"probe {lab}");
        return Task.FromResult(ProbeOutcome);
    }

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string lab, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var target = $"{request.Element}/{request.Interface}";
        Calls.Enqueue($"capture {lab} {target}");
        if (RefuseCaptureOf == target)
        {
            yield return new CaptureStreamItem(Error: new AgentError("not-found", $"{target} does not exist"));
            yield break;
        }

        yield return new CaptureStreamItem(Started: request);
        var reader = CaptureOf(target).Reader;
        while (true)
        {
            CaptureStreamItem item;
            try
            {
                item = await reader.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return item;
        }
    }
}
