using NetLab.Core.Formats;

namespace NetLab.Web.Model;

/// <summary>
/// The name the kernel (and the agent) know a lab by is its YAML <c>name</c>, which the store's name need not match:
/// a lab can be imported under another name or renamed.
/// </summary>
public static class KernelLabName
{
    public static string Of(string yaml, string storeName) =>
        string.IsNullOrWhiteSpace(yaml) ? storeName : LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml).Lab?.Name ?? storeName;
}
