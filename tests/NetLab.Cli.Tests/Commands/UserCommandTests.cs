using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NetLab.Cli.Launcher;
using static NetLab.Cli.Tests.UpProcesses;

namespace NetLab.Cli.Tests.Commands;

/// <summary>
/// `netlab user` for real: the native command line parsed in netlab.dll, the accounts written by the web published next
/// to it (its admin mode), as the web's user when run as root, with `up` running and without.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(NetlabUpCollection.Name)]
public sealed class UserCommandTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Add_list_disable_and_reset_password_work_without_up_and_the_store_stays_the_web_users()
    {
        RequireRoot();
        using var scratch = new Scratch();
        var data = scratch.Data;
        using var user = new DedicatedUserScope();
        var added = await NetlabUsers.RunAsync(data, "correct horse\n", Cancel, "add", "alice", "--role", "instructor", "--display-name", "Alice L.");
        Assert.True(added.Exit == 0, added.Errors);
        Assert.Contains("added instructor 'alice' (Alice L.)", added.Output, StringComparison.Ordinal);

        var webUser = SystemUserAccounts.Instance.Find(WebUser.Dedicated)!;
        var store = Path.Combine(data, "netlab.db");
        Assert.Equal(webUser.Uid, Owner(store));
        Assert.Equal(webUser.Uid, Owner(data));

        var disabled = await NetlabUsers.RunAsync(data, string.Empty, Cancel, "disable", "alice");
        var reset = await NetlabUsers.RunAsync(data, "battery staple\n", Cancel, "reset-password", "alice");
        var listed = await NetlabUsers.RunAsync(data, string.Empty, Cancel, "list");

        Assert.Equal([0, 0, 0], new[] { disabled.Exit, reset.Exit, listed.Exit });
        Assert.Matches(@"alice +instructor +disabled +", listed.Output);
        Assert.Equal(webUser.Uid, Owner(store));
    }

    [Fact]
    public async Task Usage_errors_are_exit_2_and_refusals_exit_1_with_the_webs_words()
    {
        RequireRoot();
        using var scratch = new Scratch();
        var data = scratch.Data;
        using var user = new DedicatedUserScope();
        var noRole = await NetlabUsers.RunAsync(data, "correct horse\n", Cancel, "add", "alice");
        var badRole = await NetlabUsers.RunAsync(data, "correct horse\n", Cancel, "add", "alice", "--role", "teacher");
        var badName = await NetlabUsers.RunAsync(data, "correct horse\n", Cancel, "add", "a b", "--role", "student");
        var shortPassword = await NetlabUsers.RunAsync(data, "short\n", Cancel, "add", "alice", "--role", "student");
        var noPassword = await NetlabUsers.RunAsync(data, string.Empty, Cancel, "add", "alice", "--role", "student");

        Assert.Equal([2, 2, 2, 1, 2], new[] { noRole.Exit, badRole.Exit, badName.Exit, shortPassword.Exit, noPassword.Exit });
        Assert.Contains("--role", noRole.Errors, StringComparison.Ordinal);
        Assert.Contains("not allowed", badName.Errors, StringComparison.Ordinal);
        Assert.Contains("fewer than 8", shortPassword.Errors, StringComparison.Ordinal);
        Assert.Contains("no password on standard input", noPassword.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_works_while_up_serves_the_same_store()
    {
        RequireRoot();
        using var scratch = new Scratch();
        var (folder, data) = (scratch.Folder, scratch.Data);
        var socket = Path.Combine(folder.FullName, "agent.sock");
        var url = $"http://127.0.0.1:{FreePort()}";
        using var user = new DedicatedUserScope();
        var lines = new List<string>();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "up", "--socket", socket, "--url", url, "--data", data })
        {
            start.ArgumentList.Add(argument);
        }

        using var launcher = Process.Start(start)!;
        launcher.OutputDataReceived += (_, line) => { lock (lines) { if (line.Data is { } text) lines.Add(text); } };
        launcher.BeginOutputReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!Running(lines) && !launcher.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(100, Cancel);
            }

            Assert.True(Running(lines), "netlab up did not start");
            await NetlabUsers.AddAsync(data, "alice", "instructor", Cancel);
            var listed = await NetlabUsers.RunAsync(data, string.Empty, Cancel, "list");

            Assert.Equal(0, listed.Exit);
            Assert.Matches(@"alice +instructor +active", listed.Output);
        }
        finally
        {
            if (!launcher.HasExited)
            {
                _ = Process.Start("kill", ["-TERM", launcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await launcher.WaitForExitAsync(Cancel);
            }
        }
    }

    private static bool Running(List<string> lines)
    {
        lock (lines)
        {
            return lines.Any(l => l.StartsWith("NetLab is running at ", StringComparison.Ordinal));
        }
    }

    private static uint Owner(string path) =>
        uint.Parse(ExternalCommand.Run("stat", "-c", "%u", path).Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("`netlab user` as root runs the web's admin mode as the web's user, which needs root; run the suite as root.");
        }
    }

    /// <summary>A temp folder (0755, so the web's user reaches its data folder), deleted with the store's pooled connections closed.</summary>
    private sealed class Scratch : IDisposable
    {
        public DirectoryInfo Folder { get; } = CreateFolder();

        public string Data => Path.Combine(Folder.FullName, "data");

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Folder.Delete(recursive: true);
        }

        private static DirectoryInfo CreateFolder()
        {
            var folder = Directory.CreateTempSubdirectory("nluser-");
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
            return folder;
        }
    }
}
