using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Captures;

/// <summary>
/// The web's captures, kept in memory while the process runs: started from a page, read by any page (a capture goes
/// on when its page is closed, until stopped), downloaded as pcap. Only the newest few per lab are kept. A capture is its
/// starter's: another account neither lists nor downloads it (the download answers as if it did not exist).
/// </summary>
public sealed class CaptureService(IAgentGateway source, TimeProvider time, ILogger<CaptureService> logger, IOptions<QuotaOptions>? quotas = null) : IDisposable
{
    /// <summary>Finished captures kept per lab (running ones are always kept).</summary>
    public const int KeptPerLab = 10;

    private readonly ConcurrentDictionary<Guid, LiveCapture> _captures = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>A capture was created (before its first frame): subscribe to its events here to record it.</summary>
    public event Action<LiveCapture>? CaptureStarted;

    /// <summary>Starts capturing on one interface of <paramref name="owner"/>'s lab, acting for the owner at the agent.</summary>
    /// <exception cref="ArgumentException">The lab is not <paramref name="owner"/>'s.</exception>
    /// <exception cref="QuotaExceededException">The owner has as many captures running as the role may; none was started.</exception>
    public LiveCapture Start(CurrentUser owner, OwnedKernelLab lab, CaptureRequest request)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(lab);
        if (lab.OwnerId != owner.Id)
        {
            throw new ArgumentException($"The kernel lab {lab.Name} is not account {owner.Id}'s.", nameof(lab));
        }

        if (quotas?.Value.Of(owner.Role).CapturesAtOnce is { } allowed)
        {
            var running = _captures.Values.Count(c => c.OwnerId == owner.Id && c.Status is CaptureStatus.Starting or CaptureStatus.Running);
            if (running + 1 > allowed)
            {
                throw new QuotaExceededException(new QuotaRefusal(
                    $"captures at once per {UserStore.RoleName(owner.Role)}", allowed, running, 1, "Stop a capture you started (its lab's Captures tab) to make room.", "captures"));
            }
        }

        var capture = new LiveCapture(lab.Name, request, time.GetUtcNow()) { OwnerId = owner.Id };
        _captures[capture.Id] = capture;
        Prune(owner, lab.Name);
        CaptureStarted?.Invoke(capture);
        _ = Task.Run(() => RunAsync(capture, lab));
        return capture;
    }

    /// <summary>The capture, when it exists and is <paramref name="owner"/>'s.</summary>
    public LiveCapture? Get(CurrentUser owner, Guid id) =>
        _captures.GetValueOrDefault(id) is { } capture && capture.OwnerId == owner.Id ? capture : null;

    /// <summary><paramref name="owner"/>'s captures of the lab, newest first.</summary>
    public IReadOnlyList<LiveCapture> ForLab(CurrentUser owner, string lab) =>
        _captures.Values.Where(c => c.Lab == lab && c.OwnerId == owner.Id).OrderByDescending(c => c.RequestedAt).ThenByDescending(c => c.Id).ToList();

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>GET /captures/{id}.pcap: the frames held now, as a file the browser saves; another account's capture is "not there" (and logged).</summary>
    public static IResult Download(Guid id, CaptureService captures, CurrentUser user, ILogger<CaptureService> logger)
    {
        var capture = captures.Get(user, id);
        if (capture is null && captures._captures.ContainsKey(id))
        {
            logger.LogWarning("Refused capture {Id} to {User} (account {UserId}): it is another account's", id, user.Name, user.Id);
        }

        return capture is null
            ? Results.NotFound($"No capture {id}: captures live in the web process's memory and are gone after it restarts. Start a new one.")
            : Results.Stream(stream => capture.WritePcapAsync(stream, CancellationToken.None), "application/vnd.tcpdump.pcap", capture.FileName);
    }

    private async Task RunAsync(LiveCapture capture, OwnedKernelLab lab)
    {
        try
        {
            await capture.RunAsync(source, lab, _stopping.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A capture's failure must not take the process down; it is logged and shown on the capture.
        catch (Exception error)
#pragma warning restore CA1031
        {
            logger.LogError(error, "Capture {Id} on {Lab} {Element} {Interface} failed", capture.Id, capture.Lab, capture.Request.Element, capture.Request.Interface);
        }
    }

    private void Prune(CurrentUser owner, string lab)
    {
        foreach (var old in ForLab(owner, lab).Where(c => c.Status is CaptureStatus.Stopped or CaptureStatus.Failed).Skip(KeptPerLab))
        {
            _captures.TryRemove(old.Id, out _);
        }
    }
}
