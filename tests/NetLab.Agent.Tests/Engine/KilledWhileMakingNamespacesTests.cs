using System.Diagnostics;
using NetLab.Agent.Engine;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// kill -9 of an agent while it makes namespaces, at the moment a namespace appears mounted under its name: the next
/// agent must know every namespace the killed one made as its own (and remove the empty name of one it did not finish),
/// so it converges and destroys instead of refusing its own lab as someone else's. A child process (this test assembly,
/// running only <see cref="Child_makes_namespaces_until_killed"/>) makes them; the parent watches /run/netns and kills it.
/// The fault tests of the CLI found this: an agent killed between mounting a namespace and completing its record left a
/// lab that no apply or destroy would touch again ("exists and was not made by NetLab").
/// </summary>
public sealed class KilledWhileMakingNamespacesTests
{
    private const string PrefixVariable = "NETLAB_KILL_NS_PREFIX";
    private const string RecordsVariable = "NETLAB_KILL_NS_RECORDS";
    private const int Kills = 8;

    [Fact]
    public async Task Every_namespace_an_agent_killed_while_making_them_left_is_its_own_to_the_next_agent()
    {
        using var lab = new EngineLab();
        var random = new Random(12);
        try
        {
            for (var kill = 1; kill <= Kills; kill++)
            {
                var mountedBefore = Mounted(lab.Prefix);
                var target = mountedBefore + random.Next(1, 4);
                using (var child = StartChild(lab))
                {
                    var clock = Stopwatch.StartNew();
                    // A tight loop, no sleep: the kill should land within microseconds of the mount.
                    while (Mounted(lab.Prefix) < target)
                    {
                        Assert.False(child.HasExited, $"the child exited early with code {(child.HasExited ? child.ExitCode : 0)}");
                        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the child made no namespace within 60 s");
                    }

                    child.Kill();
                    await child.WaitForExitAsync(TestContext.Current.CancellationToken);
                }

                using var next = new KernelNamespaces(lab.Prefix, lab.Options.NamespaceRecordDirectory);
                next.PruneStaleRecords();
                var foreign = next.Foreign();
                Assert.True(foreign.Count == 0, $"kill {kill}: the next agent takes {string.Join(", ", foreign)} for someone else's (records: {Records(lab, foreign)})");
            }

            var destroyed = await lab.Restart().DestroyAsync("lab");
            Assert.True(destroyed.Succeeded, destroyed.Failure?.Message);
            Assert.Empty(destroyed.Warnings ?? []);
            Assert.Empty(lab.Namespaces());
        }
        finally
        {
            foreach (var name in lab.Namespaces())
            {
                _ = EngineLab.Run("ip", "netns", "del", name);
            }
        }
    }

    /// <summary>The child's side; explicit, so only the test above runs it (and a plain test run never does).</summary>
    [Fact(Explicit = true)]
    public void Child_makes_namespaces_until_killed()
    {
        var prefix = Environment.GetEnvironmentVariable(PrefixVariable);
        var records = Environment.GetEnvironmentVariable(RecordsVariable);
        Assert.SkipWhen(prefix is null || records is null, "run only by Every_namespace_an_agent_killed_while_making_them_left_is_its_own_to_the_next_agent");
        using var namespaces = new KernelNamespaces(prefix!, records!);
        for (var i = 1; ; i++)
        {
            var name = $"{prefix}lab.n{Environment.ProcessId}x{i}";
            namespaces.Create(name);
        }
    }

    private static int Mounted(string prefix) =>
        NetworkNamespace.ListNames().Count(n => n.StartsWith(prefix, StringComparison.Ordinal) && NetworkNamespace.HoldsNamespace(n));

    private static string Records(EngineLab lab, IEnumerable<string> names) =>
        string.Join("; ", names.Select(n =>
        {
            var path = Path.Combine(lab.Options.NamespaceRecordDirectory, n);
            return $"{n}: {(File.Exists(path) ? File.ReadAllText(path).Trim() : "none")}";
        }));

    private static Process StartChild(EngineLab lab)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The test host is `dotnet` running this assembly, or the assembly's own apphost.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(KilledWhileMakingNamespacesTests).Assembly.Location);
        }

        foreach (var argument in new[] { "-method", $"{typeof(KilledWhileMakingNamespacesTests).FullName}.{nameof(Child_makes_namespaces_until_killed)}", "-explicit", "only" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[PrefixVariable] = lab.Prefix;
        start.Environment[RecordsVariable] = lab.Options.NamespaceRecordDirectory;
        var child = Process.Start(start)!;
        _ = child.StandardOutput.ReadToEndAsync();
        _ = child.StandardError.ReadToEndAsync();
        return child;
    }
}
