using Microsoft.Extensions.Options;
using NetLab.Web.Store;

namespace NetLab.Web.Quotas;

/// <summary>When an applied lab counts as idle, by its owner's role (<see cref="RoleQuota.IdleAppliedMinutes"/>).</summary>
public sealed record IdleDeadline(DateTimeOffset DestroyAt, DateTimeOffset WarnFrom, TimeSpan Limit);

/// <summary>
/// One rule for "this applied lab has been idle too long", read by the reaper that destroys such labs and by the lab
/// page that warns before it does, so the warning's time is the reaper's.
/// </summary>
public sealed class IdleLabPolicy(IOptions<QuotaOptions> options)
{
    private readonly QuotaOptions _options = options.Value;

    /// <summary>When the lab will be destroyed for being idle and from when its page warns; null when its owner's role has no limit.</summary>
    public IdleDeadline? DeadlineOf(AppliedLabActivity lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (_options.Of(lab.OwnerRole).IdleAppliedMinutes is not { } minutes)
        {
            return null;
        }

        var limit = TimeSpan.FromMinutes(minutes);
        var destroyAt = lab.LastActivity + limit;
        return new IdleDeadline(destroyAt, destroyAt - TimeSpan.FromMinutes(_options.IdleWarningMinutes), limit);
    }
}
