using NetLab.Web.Store;

namespace NetLab.Web.Model;

/// <summary>Whose labs the pages show. There is one local user until sign-in exists.</summary>
public sealed record CurrentUser(long Id, string Name)
{
    public static CurrentUser Local { get; } = new(LabStore.LocalUserId, "local");
}
