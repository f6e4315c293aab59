using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>A lab's runs: searchable by title, notes, status and date; two ticked ones compared; a run export imported.</summary>
public sealed partial class LabRuns
{
    [Inject]
    private LabStore Labs { get; set; } = default!;

    [Inject]
    private RunStore Store { get; set; } = default!;

    [Inject]
    private LabReaders Readers { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Parameter]
    public long LabId { get; set; }

    private LabSummary? Summary { get; set; }

    /// <summary>How the signed-in user reads the lab (<see cref="LabReaders"/>); a reader who is not its owner imports nothing.</summary>
    private LabReading? Reading { get; set; }

    private bool ReadOnly => Reading is { IsOwner: false };

    private IReadOnlyList<RunSummary> Runs { get; set; } = [];

    private IReadOnlyList<long> Selected { get; set; } = [];

    private RunSearch Search { get; set; } = new();

    private string Text { get; set; } = "";

    private string? ImportMessage { get; set; }

    private bool ImportFailed { get; set; }

    // The older run first, so that the comparison reads "from then to now".
    private string? CompareHref => Selected.Count == 2 ? $"runs/compare/{Selected.Min()}/{Selected.Max()}" : null;

    protected override async Task OnParametersSetAsync()
    {
        Reading = await Readers.ReadLabAsync(User, LabId);
        Summary = Reading?.Lab;
        await ReloadAsync();
    }

    private async Task ReloadAsync() => Runs = Summary is null ? [] : await Store.ListRunsAsync(Summary.OwnerId, LabId, Search);

    private Task SearchTextAsync(string? text)
    {
        Text = text ?? "";
        Search = Search with { Text = string.IsNullOrWhiteSpace(text) ? null : text };
        return ReloadAsync();
    }

    private Task SearchStatusAsync(ChangeEventArgs change)
    {
        Search = Search with { Status = change.Value is string { Length: > 0 } text ? RunStore.ParseStatus(text) : null };
        return ReloadAsync();
    }

    private Task SearchDateAsync(ChangeEventArgs change, bool from)
    {
        DateTimeOffset? day = change.Value is string text && DateOnly.TryParse(text, CultureInfo.InvariantCulture, out var date)
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeZoneInfo.Local.GetUtcOffset(date.ToDateTime(TimeOnly.MinValue)))
            : null;
        // "To" a day means up to the end of that day.
        Search = from ? Search with { From = day } : Search with { To = day?.AddDays(1).AddMilliseconds(-1) };
        return ReloadAsync();
    }

    private async Task ImportAsync(IBrowserFile? file)
    {
        if (file is null || ReadOnly)
        {
            return;
        }

        if (file.Size > RunArchive.MaxArchiveBytes)
        {
            (ImportMessage, ImportFailed) = ($"{file.Name} is {RunArchive.Mebibytes(file.Size)}; an import may be at most {RunArchive.Mebibytes(RunArchive.MaxArchiveBytes)}.", true);
            return;
        }

        // A zip is read with seeks, which a browser's file stream does not allow: the upload goes to a temp file (never
        // into memory), which the import removes.
        RunImport imported;
        await using (var upload = file.OpenReadStream(RunArchive.MaxArchiveBytes))
        {
            imported = await RunArchive.ImportUploadAsync(Store, Labs, User.Id, upload, file.Name, Path.GetTempPath());
        }

        if (imported.Run is not { } run)
        {
            (ImportMessage, ImportFailed) = (imported.Error, true);
            return;
        }

        if (run.LabId != LabId)
        {
            Navigation.NavigateTo($"labs/{run.LabId}/runs");
            return;
        }

        (ImportMessage, ImportFailed) = ($"Imported {run.DisplayTitle} from {file.Name}.", false);
        await ReloadAsync();
    }
}
