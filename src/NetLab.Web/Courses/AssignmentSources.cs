using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Courses;

/// <summary>What an assignment gives each student: a lab's YAML and the guide that goes with it.</summary>
public sealed record AssignmentSource(string Yaml, string Guide);

/// <summary>
/// Where an assignment starts from, as the course page's publish form and the JSON API both choose it: one of the
/// templates (<c>labs/NAME.yaml</c>, with its guide's instructions) or the current revision of one of the
/// instructor's own labs (no guide of its own); and checks generated from a source's predictions.
/// </summary>
public sealed class AssignmentSources(LabTemplates templates, LabStore labs)
{
    /// <summary>The template named <paramref name="templateName"/>, or null.</summary>
    public AssignmentSource? OfTemplate(string? templateName) =>
        templates.Named(templateName) is { } template ? new(template.Yaml, template.Guide?.Instructions ?? string.Empty) : null;

    /// <summary>The current revision of <paramref name="instructor"/>'s own lab <paramref name="labId"/>, or null (none such of theirs).</summary>
    public async Task<AssignmentSource?> OfLabAsync(CurrentUser instructor, long labId)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        return await labs.GetCurrentRevisionAsync(instructor.Id, labId).ConfigureAwait(false) is { } revision
            ? new(revision.Yaml, string.Empty)
            : null;
    }

    /// <summary>Checks of every connectivity NetLab predicts for the source's lab (docs/checks.md); null when it is no valid lab.</summary>
    public static string? GeneratedChecks(AssignmentSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return LabFormat.LoadAndValidate(source.Yaml, LabFileFormat.Yaml).Lab is { } lab
            ? ChecksFormat.ToYaml(CheckGenerator.DocumentFor(lab))
            : null;
    }
}
