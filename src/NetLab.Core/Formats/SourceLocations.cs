using NetLab.Core.Validation;

namespace NetLab.Core.Formats;

/// <summary>Places a problem found after reading (by a validator) on the line where its path, or the nearest enclosing path, was written.</summary>
internal static class SourceLocations
{
    public static Problem Locate(Problem problem, IReadOnlyDictionary<string, SourceLocation> locations)
    {
        if (problem.Location is not null)
        {
            return problem;
        }

        for (var path = problem.Path; path.Length > 0; path = Parent(path))
        {
            if (locations.TryGetValue(path, out var location))
            {
                return problem with { Location = location };
            }
        }

        return problem;
    }

    /// <summary>
    /// "a.b.c" is in "a.b". An item "a.b[2]" is in "a" too, not in "a.b": the lab editor has always placed a bad
    /// address on its interface's key, and a check's problems ("checks[3].from") end at the check, which is recorded.
    /// </summary>
    private static string Parent(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? "" : path[..dot];
    }
}
