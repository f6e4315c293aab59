using NetLab.Core.Experiments;

namespace NetLab.Core.Tests.Experiments;

public sealed class DumpTests
{
    [Fact]
    public void Dump()
    {
        var lines = new List<string>();
        foreach (var file in RepositoryFiles.ExampleLabs())
        {
            lines.Add("## " + Path.GetFileNameWithoutExtension(file));
            foreach (var p in ConnectivityPredictor.Predict(ExampleLabs.Load(Path.GetFileNameWithoutExtension(file))))
            {
                lines.Add($"| {p.From} | {p.Address} | {(p.Reachable ? "reachable" : "fails")} | `{p.Rule.Id}` | {p.FullText} |");
            }
        }

        File.WriteAllLines("/tmp/rules-dump.txt", lines);
    }
}
