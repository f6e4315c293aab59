using System.Globalization;
using NetLab.Core.Formats;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>
/// A kernel lab as the web asks the agent about it: the name the kernel knows it by and the store lab's owner, whom
/// the web acts for (<see cref="ActingUser"/>), so the agent checks again that the lab is that user's. Every gateway
/// call names one, so no call reaches the agent for nobody in particular by mistake.
/// </summary>
/// <param name="Name">The kernel name (<see cref="LabSummary.KernelName"/>, or a legacy lab's YAML <c>name</c>).</param>
/// <param name="OwnerId">The store's id of the lab's owner.</param>
/// <param name="Legacy">
/// A lab applied before labs had kernel names of their own: the agent recorded no owner for it (the web did not name
/// one then), so it is the administrator's there and only a call without an acting user reaches it. The web makes such
/// calls only for a kernel name its store records as that lab's (<see cref="KernelLabs.LegacyAsync"/>).
/// </param>
public sealed record OwnedKernelLab(string Name, long OwnerId, bool Legacy = false)
{
    /// <summary>Who the web acts for at the agent: the owner (<see cref="ActingUserOf"/>); null for a legacy kernel lab.</summary>
    public string? ActingUser => Legacy ? null : ActingUserOf(OwnerId);

    /// <summary>
    /// The acting user the agent records for a store user: the store's id, which no rename changes (the first account
    /// takes over the pre-accounts user's row, name and all, and keeps its labs).
    /// </summary>
    public static string ActingUserOf(long userId) => userId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Which kernel lab a store lab has. Every lab has a kernel name of its own (<see cref="LabSummary.KernelName"/>, fixed
/// when it was made), so two users applying one template get disjoint namespaces and a rename leaves nothing behind. A
/// lab applied before that (<see cref="LabSummary.LegacyKernel"/>) is still held by the kernel under its applied
/// revision's YAML <c>name</c>, which such labs shared across users: it belongs to the one that applied it last.
/// </summary>
public static class KernelLabs
{
    /// <summary>The kernel lab to watch, probe, capture and destroy for <paramref name="lab"/> now.</summary>
    public static async Task<OwnedKernelLab> OfAsync(LabStore store, LabSummary lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return await LegacyAsync(store, lab).ConfigureAwait(false) ?? Own(lab);
    }

    /// <summary>The lab's kernel lab under its own kernel name (what an apply makes).</summary>
    public static OwnedKernelLab Own(LabSummary lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return new(lab.KernelName, lab.OwnerId);
    }

    /// <summary>
    /// The kernel lab a legacy lab still holds: its applied revision's YAML <c>name</c>, unless another legacy lab (of
    /// any user) applied that name after it (then the kernel lab is that one's). Null for every other lab.
    /// </summary>
    public static async Task<OwnedKernelLab?> LegacyAsync(LabStore store, LabSummary lab)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(lab);
        if (!lab.LegacyKernel)
        {
            return null;
        }

        var applied = await store.ListLegacyAppliedLabsAsync().ConfigureAwait(false);
        if (applied.FirstOrDefault(a => a.LabId == lab.Id) is not { } mine)
        {
            return null;
        }

        var name = LegacyName(mine.Yaml, mine.Name);
        var heldByAnother = applied.Any(other => other.LabId != lab.Id && other.Applied > mine.Applied && LegacyName(other.Yaml, other.Name) == name);
        return heldByAnother ? null : new OwnedKernelLab(name, lab.OwnerId, Legacy: true);
    }

    /// <summary>
    /// The old rule: the YAML's <c>name</c>, read without validating (a stored revision was valid when saved, and a
    /// stricter validator of a later NetLab must not change the name), the store's name when it names none.
    /// </summary>
    public static string LegacyName(string yaml, string storeName) =>
        LabFormat.Load(yaml, LabFileFormat.Yaml).Lab?.Name is { Length: > 0 } name ? name : storeName;
}
