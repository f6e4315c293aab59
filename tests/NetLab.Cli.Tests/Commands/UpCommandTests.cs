using System.Diagnostics;
using System.Net;
using static NetLab.Cli.Tests.UpProcesses;

namespace NetLab.Cli.Tests.Commands;

/// <summary>
/// `netlab up` for real: the launcher as its own process (so SIGTERM can be sent to it), the agent inside it, and as its
/// child the web that this project's build publishes into web/ next to netlab.dll, under an unprivileged user.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(NetlabUpCollection.Name)]
public sealed class UpCommandTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_without_root_says_it_needs_root_and_exits_2()
    {
        var run = await CliRun.RunAsync(["up"], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Contains("sudo netlab up", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_serves_the_web_as_an_unprivileged_process_without_capabilities_and_SIGTERM_stops_everything()
    {
        RequireRoot();
        var folder = WebReachableFolder();
        var socket = Path.Combine(folder.FullName, "agent.sock");
        var url = $"http://127.0.0.1:{FreePort()}";
        var lines = new List<string>();
        using var user = new DedicatedUserScope();
        using var launcher = StartLauncher(
            ["up", "--socket", socket, "--url", url, "--data", Path.Combine(folder.FullName, "data")],
            lines);
        var webPid = 0;
        try
        {
            var running = await WaitForLineAsync(launcher, lines, "NetLab is running at ");
            Assert.Equal($"NetLab is running at {url} (agent: {socket}; web runs as netlab)", running);
            lock (lines)
            {
                // `up` says when it made the account, and only then.
                Assert.Equal(!user.ExistedBefore, lines.Any(l => l.StartsWith("web user: created the system user 'netlab' (uid ", StringComparison.Ordinal)));
            }

            var webLine = await WaitForLineAsync(launcher, lines, "web: pid ");
            webPid = WebPid(webLine);
            Assert.EndsWith(Path.Combine(AppContext.BaseDirectory, "web", "NetLab.Web.dll"), webLine, StringComparison.Ordinal);

            using var http = new HttpClient();
            using var page = await http.GetAsync(url, Cancel);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("NetLab", await page.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

            var status = StatusFields(webPid);
            Assert.Contains("NetLab.Web.dll", File.ReadAllText($"/proc/{webPid}/cmdline"), StringComparison.Ordinal);
            Assert.All(status["Uid"].Split('\t', StringSplitOptions.RemoveEmptyEntries), uid => Assert.NotEqual("0", uid));
            Assert.All(status["Gid"].Split('\t', StringSplitOptions.RemoveEmptyEntries), gid => Assert.NotEqual("0", gid));
            Assert.Equal("0000000000000000", status["CapEff"]);
            Assert.Equal("0000000000000000", status["CapPrm"]);
            Assert.Equal("0000000000000000", status["CapBnd"]);
            Assert.True(File.Exists(socket), "the agent's socket should exist while up runs");
            Assert.NotEqual(Session(launcher.Id), Session(webPid)); // a terminal's Ctrl-C reaches only the launcher

            var stopping = Stopwatch.StartNew();
            await SigtermAndWaitAsync(launcher);
            TestContext.Current.SendDiagnosticMessage($"netlab up stopped in {stopping.ElapsedMilliseconds} ms with exit code {launcher.ExitCode}");
            Assert.Equal(0, launcher.ExitCode);
            Assert.DoesNotContain(lines, l => l.StartsWith("netlab up:", StringComparison.Ordinal));
            Assert.False(IsAlive(webPid), $"the web (pid {webPid}) outlived the launcher");
            Assert.False(File.Exists(socket), "the agent's socket was left behind");
        }
        finally
        {
            if (!launcher.HasExited)
            {
                launcher.Kill(entireProcessTree: true);
            }

            if (webPid != 0 && IsAlive(webPid))
            {
                Process.GetProcessById(webPid).Kill();
            }

            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_web_whose_up_is_killed_with_SIGKILL_stops_by_itself_and_the_stale_socket_does_not_stop_the_next_up()
    {
        RequireRoot();
        var folder = WebReachableFolder();
        var socket = Path.Combine(folder.FullName, "agent.sock");
        var url = $"http://127.0.0.1:{FreePort()}";
        string[] arguments = ["up", "--socket", socket, "--url", url, "--data", Path.Combine(folder.FullName, "data")];
        var webPids = new List<int>();
        var launchers = new List<Process>();
        using var user = new DedicatedUserScope();
        try
        {
            var firstLines = new List<string>();
            var first = StartLauncher(arguments, firstLines);
            launchers.Add(first);
            _ = await WaitForLineAsync(first, firstLines, "NetLab is running at ");
            var firstWeb = WebPid(await WaitForLineAsync(first, firstLines, "web: pid "));
            webPids.Add(firstWeb);

            first.Kill(); // SIGKILL: up cannot stop the web, nor its in-process agent remove the socket.
            await first.WaitForExitAsync(Cancel);
            Assert.True(File.Exists(socket), "a SIGKILLed agent cannot remove its socket; this test needs the stale file");

            // A bound, not a timing assertion: the web looks at its launcher about once a second, then stops gracefully.
            var clock = Stopwatch.StartNew();
            while (IsAlive(firstWeb) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200, Cancel);
            }

            Assert.False(IsAlive(firstWeb), $"the web (pid {firstWeb}) still runs 30 s after its launcher was killed");
            TestContext.Current.SendDiagnosticMessage($"the web stopped {clock.ElapsedMilliseconds} ms after its launcher was killed");

            // The next up on the same socket, URL and data folder starts as if the first had stopped cleanly.
            var secondLines = new List<string>();
            var second = StartLauncher(arguments, secondLines);
            launchers.Add(second);
            var running = await WaitForLineAsync(second, secondLines, "NetLab is running at ");
            webPids.Add(WebPid(await WaitForLineAsync(second, secondLines, "web: pid ")));
            Assert.Equal($"NetLab is running at {url} (agent: {socket}; web runs as netlab)", running);
            using var http = new HttpClient();
            using var page = await http.GetAsync(url, Cancel);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);

            await SigtermAndWaitAsync(second);
            Assert.Equal(0, second.ExitCode);
            Assert.False(File.Exists(socket), "the second agent's socket was left behind");
        }
        finally
        {
            foreach (var launcher in launchers)
            {
                if (!launcher.HasExited)
                {
                    launcher.Kill(entireProcessTree: true);
                }

                launcher.Dispose();
            }

            foreach (var webPid in webPids.Where(IsAlive))
            {
                Process.GetProcessById(webPid).Kill();
            }

            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_web_whose_up_is_killed_and_lingers_as_a_zombie_that_hidepid_hides_stops_by_itself()
    {
        RequireRoot();
        if (Environment.OSVersion.Version < new Version(5, 8))
        {
            // Before 5.8 every proc mount of a pid namespace shares one set of options: the test would hide the host's.
            Assert.Skip($"Linux {Environment.OSVersion.Version} cannot mount a proc of its own with hidepid=invisible (5.8 and later can).");
        }

        var folder = WebReachableFolder();
        var socket = Path.Combine(folder.FullName, "agent.sock");
        var url = $"http://127.0.0.1:{FreePort()}";
        var lines = new List<string>();
        using var user = new DedicatedUserScope();

        // A mount namespace of its own (slave: the host's later mounts, e.g. new /run/netns entries, still reach it) with
        // a proc mounted hidepid=invisible, as a hardened machine mounts it: the web (user netlab) cannot see `up`
        // (root's). `up` runs in the background of a shell that then becomes `sleep`, which never waits for a child:
        // a killed `up` stays a zombie, its pid taken, for as long as the holder lives.
        const string Script = "mount -t proc -o hidepid=invisible proc /proc || exit 97\n\"$@\" &\necho \"launcher: $!\"\nexec sleep 600\n";
        using var holder = StartProcess(
            "unshare",
            ["--mount", "--propagation", "slave", "--", "sh", "-c", Script, "sh",
             "dotnet", Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "up", "--socket", socket, "--url", url, "--data", Path.Combine(folder.FullName, "data")],
            lines);
        var webPid = 0;
        try
        {
            var launcherPid = int.Parse((await WaitForLineAsync(holder, lines, "launcher: "))["launcher: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            _ = await WaitForLineAsync(holder, lines, "NetLab is running at ");
            webPid = WebPid(await WaitForLineAsync(holder, lines, "web: pid "));
            Assert.Equal(launcherPid.ToString(System.Globalization.CultureInfo.InvariantCulture), StatField(webPid, 4)); // up's own child
            Assert.Contains(File.ReadAllLines($"/proc/{webPid}/mountinfo"), line => line.Contains(" /proc ", StringComparison.Ordinal) && line.Contains("hidepid=invisible", StringComparison.Ordinal));

            Process.GetProcessById(launcherPid).Kill(); // SIGKILL: up cannot stop the web
            var clock = Stopwatch.StartNew();
            while (StatField(launcherPid, 3) != "Z" && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50, Cancel);
            }

            Assert.Equal("Z", StatField(launcherPid, 3)); // the zombie this test is about: its /proc entry and pid remain

            // A bound, not a timing assertion: the web looks at its parent once a second, then stops gracefully.
            while (IsAlive(webPid) && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100, Cancel);
            }

            Assert.False(IsAlive(webPid), $"the web (pid {webPid}) still runs 15 s after its launcher was killed and left a zombie hidepid hides:\n{string.Join('\n', Snapshot(lines))}");
            TestContext.Current.SendDiagnosticMessage($"the web stopped {clock.ElapsedMilliseconds} ms after its launcher was killed (left a zombie, hidden by hidepid)");
        }
        finally
        {
            // The holder's end lets init reap the zombie; the mount namespace goes with its last process.
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
                await holder.WaitForExitAsync(CancellationToken.None);
            }

            if (webPid != 0 && IsAlive(webPid))
            {
                Process.GetProcessById(webPid).Kill();
            }

            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Up_reports_the_exit_code_and_last_lines_of_a_web_that_dies_and_stops_the_agent()
    {
        RequireRoot();
        var folder = WebReachableFolder();
        var socket = Path.Combine(folder.FullName, "agent.sock");
        var notAnAssembly = Path.Combine(folder.FullName, "NetLab.Web.dll");
        File.WriteAllText(notAnAssembly, "not an assembly");
        var lines = new List<string>();
        using var user = new DedicatedUserScope();
        using var launcher = StartLauncher(
            ["up", "--socket", socket, "--url", $"http://127.0.0.1:{FreePort()}", "--data", Path.Combine(folder.FullName, "data"), "--web", notAnAssembly],
            lines);
        try
        {
            using var exitWait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            exitWait.CancelAfter(StartTimeout);
            await launcher.WaitForExitAsync(exitWait.Token);

            var output = string.Join('\n', lines);
            Assert.Equal(ExitCodes.Failed, launcher.ExitCode);
            Assert.Matches(@"netlab up: the web exited with code [1-9]\d*; its last lines:\n  \S", output);
            Assert.False(File.Exists(socket), "the agent's socket was left behind");
        }
        finally
        {
            if (!launcher.HasExited)
            {
                launcher.Kill(entireProcessTree: true);
            }

            folder.Delete(recursive: true);
        }
    }

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("`netlab up` runs the agent and drops the web to another user, which needs root; run the suite as root.");
        }
    }

    /// <summary>A temporary folder for the socket and the data folder, which the web user must reach through it.</summary>
    private static DirectoryInfo WebReachableFolder()
    {
        var folder = Directory.CreateTempSubdirectory("nlup-");
        File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
        return folder;
    }

    /// <summary>Sends SIGTERM, as a service manager would, and waits (15 s at most) for `up` to exit.</summary>
    private static async Task SigtermAndWaitAsync(Process launcher)
    {
        using (var kill = Process.Start("kill", ["-TERM", launcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Cancel);
        }

        using var exitWait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        exitWait.CancelAfter(TimeSpan.FromSeconds(15));
        await launcher.WaitForExitAsync(exitWait.Token);
    }

    private static Process StartLauncher(string[] arguments, List<string> lines) =>
        StartProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "netlab.dll"), .. arguments], lines);

    private static string[] Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private static Process StartProcess(string program, string[] arguments, List<string> lines)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        void Keep(string? line)
        {
            if (line is not null)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> WaitForLineAsync(Process launcher, List<string> lines, string prefix)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (lines)
            {
                if (lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }

                if (launcher.HasExited)
                {
                    Assert.Fail($"netlab up exited ({launcher.ExitCode}) before printing '{prefix}':\n{string.Join('\n', lines)}");
                }

                Assert.True(clock.Elapsed < StartTimeout, $"no '{prefix}' line within {StartTimeout.TotalSeconds} s:\n{string.Join('\n', lines)}");
            }

            await Task.Delay(100, Cancel);
        }
    }

    private static Dictionary<string, string> StatusFields(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());

    /// <summary>The session id: field 6 of /proc/PID/stat.</summary>
    private static string Session(int pid) => UpProcesses.StatField(pid, 6);
}
