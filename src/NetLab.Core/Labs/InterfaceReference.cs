namespace NetLab.Core.Labs;

/// <summary>A reference to an interface as a lab writes it: "eth0" in the same namespace, or "h1/eth0".</summary>
public readonly record struct InterfaceReference(string Namespace, string Interface)
{
    public static InterfaceReference Parse(string text, string currentNamespace)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new InterfaceReference(currentNamespace, text)
            : new InterfaceReference(text[..slash], text[(slash + 1)..]);
    }

    public override string ToString() => $"{Namespace}/{Interface}";
}
