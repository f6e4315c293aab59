namespace NetLab.Core.Labs;

/// <summary>
/// Rules for the names of labs, switches, hosts and namespaces. They become parts of kernel namespace names
/// (files under /run/netns), joined by the naming scheme's separator, so they must stay short and plain.
/// </summary>
public static class LabName
{
    public const int MaxLength = 32;

    /// <summary>Returns null when the name is valid, else what is wrong with it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a name is required";
        }

        if (name.Length > MaxLength)
        {
            return $"'{name}' is {name.Length} characters long; at most {MaxLength} are allowed";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"'{name}' must start with a letter or digit";
        }

        var bad = name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        return bad == default ? null : $"'{name}' contains '{bad}'; only letters, digits, '-' and '_' are allowed";
    }
}
