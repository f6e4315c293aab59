using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NetLab.Core.Formats;
using NetLab.Web.Store;

namespace NetLab.Web.Quotas;

/// <summary>
/// Whether an apply fits the namespaces an account (by its role) and the whole lab server may have applied at once,
/// counted from the store's applied revisions. One apply of an account at a time holds its turn from the look to the
/// record, so two applies of one student at once cannot both take the last room.
/// </summary>
public sealed class ApplyAdmission(LabStore labs, UserStore users, IOptions<QuotaOptions> options)
{
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _turns = new();
    private readonly ConcurrentDictionary<(long LabId, int Revision), int> _namespaces = new();

    /// <summary>The account's turn to apply; dispose it when the apply is recorded.</summary>
    public async Task<IDisposable> TurnAsync(long ownerId, CancellationToken cancellationToken = default)
    {
        var turn = _turns.GetOrAdd(ownerId, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(turn);
    }

    /// <summary>Null when lab <paramref name="labId"/> applied as <paramref name="yaml"/> fits; else the limit it would pass.</summary>
    public async Task<QuotaRefusal?> CheckAsync(long ownerId, long labId, string yaml)
    {
        var quotas = options.Value;
        var needed = NamespacesOf(yaml);
        // The lab itself is replaced by the apply: its namespaces now are not counted against it.
        var others = (await labs.ListAppliedLabsAsync().ConfigureAwait(false)).Where(applied => applied.LabId != labId).ToList();
        var role = (await users.GetAsync(ownerId).ConfigureAwait(false))?.Role ?? UserRole.Student;
        if (quotas.Of(role).NamespacesApplied is { } allowed)
        {
            var mine = others.Where(applied => applied.OwnerId == ownerId).Sum(NamespacesOf);
            if (mine + needed > allowed)
            {
                return new QuotaRefusal(
                    $"namespaces applied at once per {UserStore.RoleName(role)}", allowed, mine, needed,
                    "Destroy a lab you are not using (its page, Destroy) to free room.", "namespaces");
            }
        }

        if (quotas.NamespacesAppliedInTotal is { } total)
        {
            var everyone = others.Sum(NamespacesOf);
            if (everyone + needed > total)
            {
                return new QuotaRefusal(
                    "namespaces applied at once on this lab server", total, everyone, needed,
                    "The whole class shares this room: try again when labs are destroyed, or ask your instructor to destroy labs no longer used.", "namespaces");
            }
        }

        return null;
    }

    /// <summary>The namespaces a lab's YAML makes (its namespaces and hosts); 0 for text that is no lab (the agent refuses it anyway).</summary>
    public static int NamespacesOf(string yaml) =>
        LabFormat.Load(yaml, LabFileFormat.Yaml).Lab?.InterfaceNamespaces.Count() ?? 0;

    private int NamespacesOf(AppliedLab applied) =>
        _namespaces.GetOrAdd((applied.LabId, applied.Revision), _ => NamespacesOf(applied.Yaml));

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
