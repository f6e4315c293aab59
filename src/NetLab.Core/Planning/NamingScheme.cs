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
    public static NamingScheme Default { get; } = new();

    public string Namespace(string lab, string element) => $"{Prefix}{lab}{Separator}{element}";

    public bool BelongsTo(string kernelNamespace, string lab) =>
        kernelNamespace.StartsWith(Prefix + lab + Separator, StringComparison.Ordinal);

    /// <summary>The element name of a kernel namespace of this lab, or null when it is not one.</summary>
    public string? ElementName(string kernelNamespace, string lab) =>
        BelongsTo(kernelNamespace, lab) ? kernelNamespace[(Prefix.Length + lab.Length + 1)..] : null;
}
