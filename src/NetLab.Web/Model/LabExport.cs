using System.Text;
using NetLab.Web.Store;

namespace NetLab.Web.Model;

/// <summary>The current revision's YAML as a file download (a plain GET, so the browser saves it without script).</summary>
public static class LabExport
{
    /// <summary>GET /labs/{labId}/export: for whoever may read the lab (<see cref="LabReaders"/>), else the answer of a lab that does not exist.</summary>
    public static async Task<IResult> HandleAsync(long labId, LabStore store, LabReaders readers, CurrentUser user)
    {
        var lab = (await readers.ReadLabAsync(user, labId))?.Lab;
        var revision = lab is null ? null : await store.GetCurrentRevisionAsync(lab.OwnerId, labId);
        return lab is null || revision is null
            ? Results.NotFound($"You have no lab {labId}: it was deleted, or the number is wrong. Your labs are listed at /.")
            : Results.File(Encoding.UTF8.GetBytes(revision.Yaml), "application/yaml", $"{lab.Name}.yaml");
    }
}
