using System.Text;

namespace NetLab.Core.Planning;

/// <summary>
/// How lab elements are named in the kernel, so that many users' labs coexist on one machine and the agent can
/// recognise what it made. Switches, hosts and namespaces each become a named network namespace
/// <c>{Prefix}{lab}{Separator}{element}</c> (e.g. <c>nl-macvlan-bridge.ns2</c>); interfaces keep their lab names
/// inside them, because namespaces isolate interface names and Linux allows only 15 bytes for those.
/// The separator is a character lab and element names may not contain, so the mapping can be read back.
/// </summary>
public sealed record NamingScheme(string Prefix = "nl-", char Separator = '.')
{
    /// <summary>
    /// The longest kernel namespace name NetLab makes or opens, in UTF-8 bytes. The kernel's own limit is the file
    /// name under /run/netns (NAME_MAX, 255); NetLab keeps to 64 so names stay readable in `ip netns list` and the
    /// dashboard. The netlink layer refuses longer names, so the validator checks every composed name against it.
    /// </summary>
    public const int MaxNamespaceBytes = 64;

    public static NamingScheme Default { get; } = new();

    /// <summary>
    /// How a lab's kernel name starts when the web names it (a per-lab id follows, see the web's LabStore): at most 16
    /// characters of the lab's name, so every element's namespace name stays short, then '-'. One rule for the web and
    /// for the tests that look for a lab's namespaces.
    /// </summary>
    public static string KernelLabStem(string labName) => labName[..Math.Min(16, labName.Length)].TrimEnd('-', '_') + "-";

    public string Namespace(string lab, string element) => $"{Prefix}{lab}{Separator}{element}";

    /// <summary>Null when the element's kernel namespace name fits <see cref="MaxNamespaceBytes"/>, else what is wrong and how to fix it.</summary>
    public (string Message, string Hint)? NamespaceLengthProblem(string lab, string element)
    {
        var name = Namespace(lab, element);
        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes <= MaxNamespaceBytes
            ? null
            : ($"its kernel namespace name '{name}' ('{Prefix}' + lab name + '{Separator}' + this name) is {bytes} bytes long; NetLab allows at most {MaxNamespaceBytes}",
                $"Shorten the lab name ({Encoding.UTF8.GetByteCount(lab)} bytes) or this name ({Encoding.UTF8.GetByteCount(element)} bytes) by {bytes - MaxNamespaceBytes} bytes in all");
    }

    public bool BelongsTo(string kernelNamespace, string lab) =>
        kernelNamespace.StartsWith(Prefix + lab + Separator, StringComparison.Ordinal);

    /// <summary>The element name of a kernel namespace of this lab, or null when it is not one.</summary>
    public string? ElementName(string kernelNamespace, string lab) =>
        BelongsTo(kernelNamespace, lab) ? kernelNamespace[(Prefix.Length + lab.Length + 1)..] : null;
}
