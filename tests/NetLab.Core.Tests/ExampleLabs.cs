using NetLab.Core.Formats;
using NetLab.Core.Labs;

namespace NetLab.Core.Tests;

internal static class ExampleLabs
{
    public static Lab Load(string name)
    {
        var result = LabFormat.LoadAndValidate(File.ReadAllText(Path.Combine(RepositoryFiles.LabsFolder, name + ".yaml")), LabFileFormat.Yaml);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Problems));
        return result.Lab!;
    }
}
