using System.Text.RegularExpressions;
using NetLab.Core.Experiments;

namespace NetLab.Core.Tests.Experiments;

public sealed partial class ConnectivityRulesTableTests
{
    [GeneratedRegex(@"^\| `(?<id>[a-z0-9-]+)` \| (?<when>[^|]+) \| (?<outcome>reachable|fails) \| (?<layer>[^|]+) \| (?<reason>[^|]+) \| (?<fix>[^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    private static List<Match> Rows() =>
        [.. TableRow().Matches(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "connectivity-rules.md")).ReplaceLineEndings("\n")).Cast<Match>()];

    [Fact]
    public void Every_rule_in_the_code_is_in_the_documented_table_and_every_row_is_a_rule_of_the_code()
    {
        var documented = Rows().Select(m => m.Groups["id"].Value).ToList();

        Assert.Equal(ConnectivityRules.All.Select(r => r.Id).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        Assert.Equal(documented.Count, documented.Distinct().Count());
    }

    [Fact]
    public void The_tables_outcome_and_layer_match_the_code()
    {
        foreach (var row in Rows())
        {
            var rule = ConnectivityRules.Find(row.Groups["id"].Value)!;
            Assert.Equal(rule.Reachable, row.Groups["outcome"].Value == "reachable");
            var layer = row.Groups["layer"].Value.Trim();
            Assert.Equal(rule.Layer == FailureLayer.None ? "-" : rule.Layer.ToString().ToLowerInvariant(), layer);
            Assert.NotEqual(rule.Reachable, row.Groups["fix"].Value.Trim() != "-");
        }
    }
}
