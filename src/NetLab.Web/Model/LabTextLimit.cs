using NetLab.Core.Formats;

namespace NetLab.Web.Model;

/// <summary>
/// How much the lab YAML editors (the import dialog, the lab page's YAML tab) let a browser put in them. A text field's
/// maxlength makes the browser cut what is pasted or typed beyond it without a word: MudBlazor's default (524288
/// characters) turned a 1.1 MB paste into a valid lab of its first half, stored as if pasted whole. One character past
/// <see cref="LabFormat.MaxDocumentBytes"/> keeps every lab that can be valid whole, and a longer text still reaches the
/// validator, which refuses it naming the limit. (A circuit message holds 4 MiB, so the cut text always arrives.)
/// </summary>
public static class LabTextLimit
{
    public const int EditorMaxLength = LabFormat.MaxDocumentBytes + 1;
}
