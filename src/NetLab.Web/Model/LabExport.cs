using System.Text;
using NetLab.Web.Store;

namespace NetLab.Web.Model;

/// <summary>The current revision's YAML as a file download (a plain GET, so the browser saves it without script).</summary>
public static class LabExport
{
    public static async Task<IResult> HandleAsync(long labId, LabStore store, CurrentUser user)
    {
        var lab = await store.GetLabAsync(user.Id, labId);
        var revision = lab is null ? null : await store.GetCurrentRevisionAsync(user.Id, labId);
        return lab is null || revision is null
            ? Results.NotFound($"You have no lab {labId}: it was deleted, or the number is wrong. Your labs are listed at /.")
            : Results.File(Encoding.UTF8.GetBytes(revision.Yaml), "application/yaml", $"{lab.Name}.yaml");
    }
}
