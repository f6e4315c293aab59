namespace NetLab.Web.Model;

/// <summary>
/// Undo and redo of the Lab page's unsaved edit buffer (the YAML the editor and the canvas both change). Saved
/// revisions have their own undo in the store; this one covers what is not saved yet, including invalid states that
/// the store would refuse (a macvlan dropped in before its parent is chosen).
/// </summary>
public sealed class EditHistory
{
    private const int Capacity = 200;
    private readonly LinkedList<string> _undo = new();
    private readonly Stack<string> _redo = new();

    public bool CanUndo => _undo.Count > 0;

    public bool CanRedo => _redo.Count > 0;

    /// <summary>Remembers <paramref name="before"/> as the state an undo returns to; a new edit ends the redo chain.</summary>
    public void Record(string before)
    {
        _undo.AddLast(before);
        if (_undo.Count > Capacity)
        {
            _undo.RemoveFirst();
        }

        _redo.Clear();
    }

    public string? Undo(string current)
    {
        if (_undo.Last is not { } last)
        {
            return null;
        }

        _undo.RemoveLast();
        _redo.Push(current);
        return last.Value;
    }

    public string? Redo(string current)
    {
        if (!_redo.TryPop(out var next))
        {
            return null;
        }

        _undo.AddLast(current);
        return next;
    }

    /// <summary>A load from the store starts a new history.</summary>
    public void Clear()
    {
        _undo.Clear();
        _redo.Clear();
    }
}
