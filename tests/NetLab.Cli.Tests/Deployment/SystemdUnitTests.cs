namespace NetLab.Cli.Tests.Deployment;

/// <summary>
/// deploy/netlab.service, read as systemd reads it: its ExecStart names the binary the documented install copies to
/// /opt/netlab, with arguments `netlab up` accepts; stopping goes through `up`, which stops its web child.
/// </summary>
public sealed class SystemdUnitTests
{
    private static readonly string UnitFile = Path.Combine(RepositoryFiles.Root, "deploy", "netlab.service");

    /// <summary>The install lines of docs/deploy.md (and the README): publish, copy, enable.</summary>
    private static readonly string[] InstallLines =
    [
        "sudo scripts/run.sh --publish-only",
        "sudo cp -rT artifacts/netlab /opt/netlab && sudo cp deploy/netlab.service /etc/systemd/system/",
        "sudo systemctl daemon-reload && sudo systemctl enable --now netlab",
    ];

    [Fact]
    public void ExecStart_runs_the_installed_netlab_up_with_options_up_accepts()
    {
        var execStart = Setting("Service", "ExecStart").Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("/opt/netlab/netlab", execStart[0]);
        var parsed = NetlabCommandLine.Build().Parse(execStart[1..]);
        Assert.Empty(parsed.Errors);
        Assert.Equal("up", parsed.CommandResult.Command.Name);
        Assert.Equal("/var/lib/netlab", parsed.GetValue<string>("--data"));
        Assert.Equal("/run/netlab/agent.sock", parsed.GetValue<string>("--socket"));

        // As shipped the unit serves loopback until an administrator chooses HTTPS, a proxy or a trusted network.
        var url = new Uri(parsed.GetValue<string>("--url")!);
        Assert.True(url.IsLoopback, $"{url} is not a loopback address");
        Assert.Null(parsed.GetValue<string?>("--certificate"));
        Assert.Null(parsed.GetValue<string?>("--web-user"));
    }

    [Fact]
    public void Stopping_and_restarting_go_through_up_and_it_starts_with_the_network()
    {
        Assert.Equal("simple", Setting("Service", "Type"));
        Assert.Equal("on-failure", Setting("Service", "Restart"));
        // mixed: SIGTERM to `up` alone (it stops the web, then the agent); SIGKILL to anything left in the cgroup.
        Assert.Equal("mixed", Setting("Service", "KillMode"));
        Assert.True(int.Parse(Setting("Service", "TimeoutStopSec"), System.Globalization.CultureInfo.InvariantCulture) > 2, "up needs its 2 s to stop the web");
        Assert.Contains("network.target", Setting("Unit", "After").Split(' '));
        Assert.Equal("multi-user.target", Setting("Install", "WantedBy"));
    }

    [Fact]
    public void The_documented_install_copies_the_published_folder_to_where_ExecStart_runs_it()
    {
        var deployGuide = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "deploy.md"));
        foreach (var line in InstallLines)
        {
            Assert.Contains(line, deployGuide, StringComparison.Ordinal);
        }

        // run.sh publishes into artifacts/netlab by default; the copy puts its netlab where ExecStart looks for it.
        Assert.Contains("home=${NETLAB_HOME:-$repository/artifacts/netlab}", File.ReadAllText(Path.Combine(RepositoryFiles.Root, "scripts", "run.sh")), StringComparison.Ordinal);
        var binary = Setting("Service", "ExecStart").Split(' ')[0];
        Assert.Equal("/opt/netlab", Path.GetDirectoryName(binary));
        Assert.Equal("netlab", Path.GetFileName(binary));
    }

    /// <summary>A key of a section, as systemd reads it: comments and blank lines ignored, one value per key here.</summary>
    private static string Setting(string section, string key)
    {
        var current = "";
        var values = new List<string>();
        foreach (var raw in File.ReadAllLines(UnitFile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"not a key=value line in {UnitFile}: {line}");
            if (current == section && line[..equals].Trim() == key)
            {
                values.Add(line[(equals + 1)..].Trim());
            }
        }

        return Assert.Single(values);
    }
}
