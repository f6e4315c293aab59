using YamlDotNet.RepresentationModel;

namespace NetLab.Web.Tests.Deployment;

/// <summary>No Docker engine runs in the tests: the compose file is read and the parts that matter for safety checked.</summary>
public sealed class ComposeFileTests
{
    private readonly YamlMappingNode _services;

    public ComposeFileTests()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docker-compose.yml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        _services = Mapping(root, "services");
    }

    private YamlMappingNode Agent => Mapping(_services, "agent");

    private YamlMappingNode Web => Mapping(_services, "web");

    [Fact]
    public void There_are_exactly_the_agent_and_the_web()
    {
        Assert.Equal(["agent", "web"], _services.Children.Keys.Select(k => k.ToString()).Order());
    }

    [Fact]
    public void The_agent_has_NET_ADMIN_and_SYS_ADMIN_and_the_host_network()
    {
        Assert.Equal(["NET_ADMIN", "SYS_ADMIN"], Strings(Agent, "cap_add").Order());
        Assert.Equal("host", Scalar(Agent, "network_mode"));
        Assert.Equal("deploy/agent.Dockerfile", Scalar(Mapping(Agent, "build"), "dockerfile"));
    }

    [Fact]
    public void The_agent_shares_run_netns_with_shared_propagation()
    {
        var netns = Sequence(Agent, "volumes").OfType<YamlMappingNode>().Single(v => Scalar(v, "target") == "/run/netns");

        Assert.Equal("bind", Scalar(netns, "type"));
        Assert.Equal("/run/netns", Scalar(netns, "source"));
        Assert.Equal("shared", Scalar(Mapping(netns, "bind"), "propagation"));
    }

    [Fact]
    public void The_agents_namespace_records_live_on_the_host_like_run_netns()
    {
        var records = Sequence(Agent, "volumes").OfType<YamlMappingNode>().Single(v => Scalar(v, "target") == "/run/netlab/namespaces");

        Assert.Equal("bind", Scalar(records, "type"));
        Assert.Equal("/run/netlab/namespaces", Scalar(records, "source"));
        Assert.Equal(new NetLab.Agent.Hosting.AgentOptions().NamespaceRecordDirectory, Scalar(records, "target"));
    }

    [Fact]
    public void The_web_has_no_capabilities_and_is_not_privileged()
    {
        Assert.False(Web.Children.ContainsKey("cap_add"));
        Assert.False(Web.Children.ContainsKey("privileged") && Scalar(Web, "privileged") == "true");
        Assert.False(Web.Children.ContainsKey("network_mode"));
        Assert.False(Web.Children.ContainsKey("pid"));
        Assert.Equal("deploy/web.Dockerfile", Scalar(Mapping(Web, "build"), "dockerfile"));
    }

    [Fact]
    public void The_web_shares_the_agent_socket_volume_and_keeps_its_data_in_a_volume()
    {
        var agentSocket = Strings(Agent, "volumes").Single(v => v.EndsWith(":/run/netlab", StringComparison.Ordinal));
        var webVolumes = Strings(Web, "volumes").ToList();

        Assert.Contains(agentSocket, webVolumes);
        Assert.Contains(webVolumes, v => v.EndsWith(":/var/lib/netlab", StringComparison.Ordinal));
        Assert.Equal("/run/netlab/agent.sock", Scalar(Mapping(Web, "environment"), "Web__AgentSocketPath"));
    }

    [Fact]
    public void The_web_is_published_on_the_host_loopback_only()
    {
        Assert.Equal(["127.0.0.1:5080:5080"], Strings(Web, "ports"));
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static YamlSequenceNode Sequence(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value;

    private static IEnumerable<string> Strings(YamlMappingNode node, string key) =>
        Sequence(node, key).OfType<YamlScalarNode>().Select(s => s.Value!);
}
