using System.Text;

namespace NetLab.Core.Links;

/// <summary>The kernel's rules for interface names (dev_valid_name in net/core/dev.c), checked before any request is sent.</summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxBytes = 15;

    /// <summary>Returns null when the name is valid, else a sentence saying what is wrong and how to fix it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "an interface name is required";
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes)
        {
            return $"'{name}' is {bytes} bytes long; Linux allows at most {MaxBytes}. Use a shorter name";
        }

        if (name is "." or "..")
        {
            return $"'{name}' is reserved; choose another name";
        }

        foreach (var c in name)
        {
            if (c == '/' || c == ':' || c == '\0' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                var shown = c == '\0' ? "NUL" : char.IsWhiteSpace(c) ? "whitespace" : $"'{c}'";
                return $"'{Printable(name)}' contains {shown}, which Linux forbids in interface names. Use letters, digits, '-', '_' or '.'";
            }
        }

        return null;
    }

    public static bool IsValid(string? name) => Problem(name) is null;

    private static string Printable(string name) => name.Replace("\0", "\\0", StringComparison.Ordinal);
}
