using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using static NetLab.Cli.Tests.UpProcesses;

namespace NetLab.Cli.Tests.Scripts;

/// <summary>
/// `sudo scripts/run.sh` as a newcomer runs it: on a clean clone of this repository's committed HEAD (as CI checks
/// out main), the first run publishes and serves the dashboard, Ctrl-C (SIGINT) ends every process it started and
/// frees the socket and the port; the second run finds nothing changed and skips publishing. The times go to the
/// test's output.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(NetlabUpCollection.Name)]
public sealed class RunScriptTests(ITestOutputHelper output)
{
    // The first run publishes the native netlab (about 1.5 min on two idle cores) and the web; the second publishes
    // nothing. A bound, not a timing: with the other suites running beside it (load 15-30), 6 min were passed three times.
    private static readonly TimeSpan FirstRunTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan SecondRunTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_clean_clone_runs_serves_stops_on_ctrl_c_and_a_second_run_skips_publishing()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("scripts/run.sh needs root (it installs packages, and netlab up runs the agent and drops the web to its own user); run the suite as root.");
        }

        // The web user reaches the clone's published web and the socket through this folder.
        var work = Directory.CreateTempSubdirectory("nlrun-");
        File.SetUnixFileMode(work.FullName, (UnixFileMode)0b111_101_101);
        var clone = Path.Combine(work.FullName, "netlab");
        var socket = Path.Combine(work.FullName, "agent.sock");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        string[] arguments = ["--url", url, "--data", Path.Combine(work.FullName, "data"), "--socket", socket];
        using var user = new DedicatedUserScope();
        var started = new List<ScriptRun>();
        try
        {
            CloneCommittedHead(clone);

            var first = StartScript(clone, arguments);
            started.Add(first);
            var firstTime = await first.WaitForLineAsync("NetLab is running at ", FirstRunTimeout);
            output.WriteLine($"scripts/run.sh on a fresh clone: {firstTime.TotalSeconds:0} s until \"NetLab is running at {url}\"");
            Assert.Contains(first.Lines, l => l.StartsWith("== publishing the native netlab", StringComparison.Ordinal));
            Assert.Contains(first.Lines, l => l.StartsWith("== publishing the web", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(clone, "artifacts", "netlab", "netlab")), "the native netlab is not in artifacts/netlab/");
            Assert.True(File.Exists(Path.Combine(clone, "artifacts", "netlab", "web", "NetLab.Web.dll")), "the web is not in artifacts/netlab/web/");
            Assert.True(File.Exists(Path.Combine(clone, "artifacts", "netlab", "web", "labs", "macvlan-bridge.yaml")), "the example labs are not beside the web");
            await AssertServesAsync(url);
            await StopWithCtrlCAndAssertNothingLeftAsync(first, socket, port);

            var second = StartScript(clone, arguments);
            started.Add(second);
            var secondTime = await second.WaitForLineAsync("NetLab is running at ", SecondRunTimeout);
            output.WriteLine($"scripts/run.sh again, nothing changed: {secondTime.TotalSeconds:0.0} s until \"NetLab is running at {url}\"");
            Assert.Contains(second.Lines, l => l.StartsWith("== ", StringComparison.Ordinal) && l.EndsWith(" is up to date (no source changed since its publish); not publishing", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Lines, l => l.StartsWith("== publishing", StringComparison.Ordinal));
            await AssertServesAsync(url);
            await StopWithCtrlCAndAssertNothingLeftAsync(second, socket, port);

            // A changed source file is a new input: --publish-only publishes again, and stops without starting anything.
            File.AppendAllText(Path.Combine(clone, "labs", "macvlan-bridge.md"), "\nA line added by the test.\n");
            var third = StartScript(clone, ["--publish-only", .. arguments]);
            started.Add(third);
            await third.WaitForExitAsync(FirstRunTimeout);
            Assert.True(third.Process.ExitCode == 0, third.Text);
            Assert.Contains(third.Lines, l => l.StartsWith("== publishing the native netlab", StringComparison.Ordinal));
            Assert.DoesNotContain(third.Lines, l => l.StartsWith("NetLab is running", StringComparison.Ordinal));
            Assert.EndsWith("A line added by the test.\n", File.ReadAllText(Path.Combine(clone, "artifacts", "netlab", "web", "labs", "macvlan-bridge.md")), StringComparison.Ordinal);
            output.WriteLine($"scripts/run.sh --publish-only after a changed lab guide: {third.Clock.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            foreach (var run in started)
            {
                run.KillWhatIsLeft();
            }

            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_root_it_asks_for_sudo_and_does_nothing_else()
    {
        // A copy of the script in a folder every user can read (the checkout may be in root's private home).
        var folder = Directory.CreateTempSubdirectory("nlrun-user-");
        ScriptRun? run = null;
        try
        {
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
            var script = Path.Combine(Directory.CreateDirectory(Path.Combine(folder.FullName, "scripts")).FullName, "run.sh");
            File.Copy(Path.Combine(RepositoryFiles.Root, "scripts", "run.sh"), script);
            string[] asUser = Environment.UserName == "root"
                ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "bash", script, "--url", "http://127.0.0.1:5999"]
                : ["bash", script, "--url", "http://127.0.0.1:5999"];

            run = StartScript(folder.FullName, asUser, new Dictionary<string, string>());
            await run.WaitForExitAsync(StopTimeout);

            Assert.Equal(2, run.Process.ExitCode);
            Assert.Contains("run it as root: sudo scripts/run.sh", run.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(run.Lines, l => l.StartsWith("==", StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(folder.FullName, "artifacts")));
        }
        finally
        {
            run?.KillWhatIsLeft();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_folder_the_web_user_cannot_enter_is_refused_before_publishing()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("scripts/run.sh needs root; run the suite as root.");
        }

        // As in a Debian 12 home folder (0700): the netlab user could not reach a web published below it.
        var privateFolder = Directory.CreateTempSubdirectory("nlrun-private-");
        ScriptRun? run = null;
        try
        {
            File.SetUnixFileMode(privateFolder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var home = Path.Combine(privateFolder.FullName, "netlab");

            run = StartScript(RepositoryFiles.Root, ["bash", Path.Combine(RepositoryFiles.Root, "scripts", "run.sh")], new Dictionary<string, string> { ["NETLAB_HOME"] = home });
            await run.WaitForExitAsync(SecondRunTimeout);

            Assert.Equal(1, run.Process.ExitCode);
            Assert.Contains($"the web runs as the unprivileged user netlab, which cannot enter {privateFolder.FullName} (drwx------)", run.Text, StringComparison.Ordinal);
            Assert.Contains("NETLAB_HOME=/opt/netlab", run.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(run.Lines, l => l.StartsWith("== publishing", StringComparison.Ordinal));
            Assert.False(Directory.Exists(home), "nothing should have been published");
        }
        finally
        {
            run?.KillWhatIsLeft();
            privateFolder.Delete(recursive: true);
        }
    }

    /// <summary>A clone of the committed HEAD only, as CI has it; uncommitted changes are not in it.</summary>
    private void CloneCommittedHead(string clone)
    {
        var (headExit, head) = ExternalCommand.Run("git", "-C", RepositoryFiles.Root, "rev-parse", "HEAD");
        Assert.True(headExit == 0, head);
        var (cloneExit, cloneOutput) = ExternalCommand.Run("git", "clone", "--quiet", "--no-checkout", RepositoryFiles.Root, clone);
        Assert.True(cloneExit == 0, cloneOutput);
        var (checkoutExit, checkoutOutput) = ExternalCommand.Run("git", "-C", clone, "checkout", "--quiet", "--detach", head.Trim());
        Assert.True(checkoutExit == 0, checkoutOutput);
        output.WriteLine($"cloned {RepositoryFiles.Root} at {head.Trim()} into {clone}");
    }

    private static async Task AssertServesAsync(string url)
    {
        using var http = new HttpClient();
        using var page = await http.GetAsync(url, Cancel);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("NetLab", await page.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    /// <summary>
    /// SIGINT to the script's process, as a terminal's Ctrl-C (the script execs netlab up, so the pid is up's, and the
    /// web, in a session of its own, gets nothing from the terminal). Then every process the run started is gone, the
    /// socket is removed and the port can be bound again.
    /// </summary>
    private static async Task StopWithCtrlCAndAssertNothingLeftAsync(ScriptRun run, string socket, int port)
    {
        var tree = Descendants(run.Process.Id);
        var webPid = WebPid(run.Lines.First(l => l.StartsWith("web: pid ", StringComparison.Ordinal)));
        Assert.Contains(webPid, tree);
        Assert.Contains("/artifacts/netlab/netlab", File.ReadAllText($"/proc/{run.Process.Id}/cmdline"), StringComparison.Ordinal); // exec'd: the script became up

        ExternalCommand.Run("kill", "-INT", run.Process.Id.ToString(CultureInfo.InvariantCulture));
        await run.WaitForExitAsync(StopTimeout);

        Assert.True(run.Process.ExitCode == 0, run.Text);
        Assert.All(tree, pid => Assert.False(IsAlive(pid), $"pid {pid} ({Command(pid)}) outlived Ctrl-C"));
        Assert.False(File.Exists(socket), "the agent's socket was left behind");
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(); // throws if the web still held the port
    }

    private static ScriptRun StartScript(string clone, string[] arguments) =>
        StartScript(clone, ["bash", Path.Combine(clone, "scripts", "run.sh"), .. arguments], new Dictionary<string, string>());

    /// <summary>Starts <paramref name="command"/> in <paramref name="folder"/> with these variables set.</summary>
    private static ScriptRun StartScript(string folder, string[] command, Dictionary<string, string> variables)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        // A newcomer's shell: the default folder, and none of the MSBuild variables `dotnet test` sets for its own build.
        start.Environment.Remove("NETLAB_HOME");
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        return new ScriptRun(Process.Start(start)!);
    }

    /// <summary>Every process below <paramref name="pid"/>, from the parent pids in /proc.</summary>
    private static List<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var child))
            {
                try
                {
                    parents[child] = int.Parse(UpProcesses.StatField(child, 4), CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }

        var found = new List<int> { pid };
        for (var i = 0; i < found.Count; i++)
        {
            found.AddRange(parents.Where(p => p.Value == found[i]).Select(p => p.Key));
        }

        return found;
    }

    /// <summary>Field 22 of /proc/PID/stat (clock ticks since boot); -1 when the process is gone.</summary>
    private static long StartTime(int pid)
    {
        try
        {
            return long.Parse(UpProcesses.StatField(pid, 22), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    /// <summary>One scripts/run.sh process, its output lines as they come, and the clock since it started.</summary>
    private sealed class ScriptRun
    {
        private readonly List<string> _lines = [];
        // Each pid with its start time, so that a pid the kernel has given to another process since is never killed.
        private readonly Dictionary<int, long> _seen = [];

        public ScriptRun(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public string Text => string.Join('\n', Lines);

        /// <summary>Waits for a line starting with <paramref name="prefix"/>; returns the time since the start.</summary>
        public async Task<TimeSpan> WaitForLineAsync(string prefix, TimeSpan timeout)
        {
            while (!Lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                Assert.False(Process.HasExited, $"scripts/run.sh exited ({(Process.HasExited ? Process.ExitCode : 0)}) before printing '{prefix}':\n{Text}");
                Assert.True(Clock.Elapsed < timeout, $"no '{prefix}' line within {timeout.TotalSeconds:0} s:\n{Text}");
                await Task.Delay(200, Cancel);
            }

            RememberTree();
            return Clock.Elapsed;
        }

        public async Task WaitForExitAsync(TimeSpan timeout)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            wait.CancelAfter(timeout);
            try
            {
                await Process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
            {
                Assert.Fail($"scripts/run.sh did not exit within {timeout.TotalSeconds:0} s:\n{Text}");
            }
        }

        /// <summary>On the way out, also after a failure: whatever this run started and is still running is killed.</summary>
        public void KillWhatIsLeft()
        {
            if (!Process.HasExited)
            {
                RememberTree();
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            // The web is in a session of its own but still up's child; a web whose up was killed stops by itself
            // within a second, this makes sure.
            foreach (var (pid, startTime) in _seen.Where(p => IsAlive(p.Key) && StartTime(p.Key) == p.Value))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // Ended meanwhile.
                }
            }

            Process.Dispose();
        }

        private void RememberTree()
        {
            if (!Process.HasExited)
            {
                foreach (var pid in Descendants(Process.Id))
                {
                    _seen.TryAdd(pid, StartTime(pid));
                }
            }
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        }
    }
}
