using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static NetLab.Cli.Tests.UpProcesses;

namespace NetLab.Cli.Tests.Faults;

/// <summary>
/// `netlab up` with its data folder on a small tmpfs that the test fills (root's filler file takes every block): then a
/// student edits a lab, destroys and applies it, and starts an experiment run, in the browser. Each gets a clear message
/// (the store is full, where, what to do) where the action was, the kernel still does what was asked, the web lives on
/// and serves what is stored, and nothing already stored is lost or corrupted (PRAGMA integrity_check, every row
/// counted). Once the filler is deleted the same edit saves. The tmpfs is unmounted at the end, also after a failure.
/// </summary>
[Collection(NetlabUpCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FullDiskTests
{
    private const int LabNamespaces = 3;
    private static readonly string[] Tables = ["labs", "lab_revisions", "runs", "run_entries"];
    private static readonly float Step = (float)TimeSpan.FromSeconds(45).TotalMilliseconds;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_write_on_a_full_data_folder_is_told_clearly_the_web_lives_on_and_nothing_stored_is_lost()
    {
        Assert.SkipWhen(Environment.UserName != "root", "The full-disk test runs `netlab up` and mounts a tmpfs for its data folder, which needs root; run the suite as root.");
        Assert.SkipUnless(File.Exists(Dashboard.ChromiumPath), $"The full-disk test drives the dashboard in Debian's Chromium at {Dashboard.ChromiumPath} (apt-get install chromium); scripts/test.sh installs it.");

        var lab = $"nltestfull{Environment.ProcessId}";
        var yaml = FaultKernel.Lab(lab, LabNamespaces);
        string? mounted = null;
        string? kernelLab = null;
        using var user = new DedicatedUserScope();
        var processes = NetLabProcesses.Create(Deployment.Up, data =>
        {
            // 8 MiB: room for the web's store, its WAL and its keys, and little else.
            var (exit, output) = ExternalCommand.Run("mount", "-t", "tmpfs", "-o", "size=8m,mode=0750", "nltest-full", data);
            Assert.True(exit == 0, $"cannot mount a tmpfs on {data}: {output}");
            mounted = data;
        });
        try
        {
            await processes.StartAsync(Cancel);
            await using var dashboard = await Dashboard.StartAsync(processes, Cancel);
            var page = dashboard.Page;
            var labId = await dashboard.ImportAsync(yaml, lab);
            kernelLab = processes.Store.KernelName(labId);
            await dashboard.OpenLabAsync(labId);
            _ = await dashboard.StartApplyAsync();
            Assert.Contains("Revision 1 is recorded as applied", await dashboard.WaitSucceededAsync(), StringComparison.Ordinal);
            await dashboard.OpenLabAsync(labId);
            await dashboard.StartRunAsync("before the disk filled up");
            Assert.Equal("succeeded", await dashboard.WaitRunEndedAsync());
            var stored = Tables.ToDictionary(t => t, processes.Store.Count);
            var filler = Fill(processes.DataFolder, processes.Store);
            var full = $"The store is full: the web could not save this in {processes.Store.Path}, because the file system holding {processes.DataFolder} has no space left";

            // Edit: the message is on the page, and the edit stays in the editor.
            await dashboard.OpenLabAsync(labId);
            var edited = yaml.Replace("ns1:\n    loopback: up", "ns1:\n    loopback: down", StringComparison.Ordinal);
            await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
            await page.Locator(".lab-yaml textarea").FillAsync(edited);
            await page.Locator(".lab-yaml textarea").PressAsync("Tab");
            await page.Locator(".lab-save").ClickAsync(new() { Timeout = Step });
            await ExpectFullAsync(page.Locator(".store-error"), full, processes.DataFolder);
            Assert.Equal(edited, await page.Locator(".lab-yaml textarea").InputValueAsync());

            // Destroy and apply: the kernel does it, the dialog says the store could not record it.
            await dashboard.OpenLabAsync(labId);
            await dashboard.StartDestroyAsync();
            Assert.Contains("Destroyed", await dashboard.WaitSucceededAsync(), StringComparison.Ordinal);
            await ExpectFullAsync(page.Locator(".apply-store-error"), "The kernel changed as shown, but the store could not record it. " + full, processes.DataFolder);
            Assert.Empty(FaultKernel.Namespaces(kernelLab));
            await dashboard.OpenLabAsync(labId);
            Assert.True(await dashboard.StartApplyAsync() > 0);
            _ = await dashboard.WaitSucceededAsync();
            await ExpectFullAsync(page.Locator(".apply-store-error"), "The kernel changed as shown, but the store could not record it. " + full, processes.DataFolder);
            Assert.Equal(LabNamespaces + 2, FaultKernel.Namespaces(kernelLab).Count);

            // Record: the run is not started, and says why.
            await dashboard.OpenLabAsync(labId);
            await dashboard.StartRunAsync("after the disk filled up");
            await ExpectFullAsync(page.Locator(".run-start-error"), "The run was not started. " + full, processes.DataFolder);

            // The web lives on and serves what is stored.
            Assert.True(IsAlive(processes.WebPid), $"the web died on a full disk:\n{processes.Output}");
            // (Signed in: the labs page lists the lab.)
            var labs = await page.GotoAsync(processes.Url);
            Assert.Equal((int)HttpStatusCode.OK, labs!.Status);
            await Microsoft.Playwright.Assertions.Expect(page.Locator($"tr.lab-row[data-lab='{lab}']")).ToBeVisibleAsync();

            // Nothing stored was lost or corrupted; with room again, the same edit saves.
            File.Delete(filler);
            Assert.Equal("ok", processes.Store.IntegrityCheck());
            Assert.Equal(stored, Tables.ToDictionary(t => t, processes.Store.Count));
            Assert.Equal(((int?)1, (int?)1), processes.Store.Lab(labId)); // the records the full disk refused are as before
            await dashboard.OpenLabAsync(labId);
            await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
            await page.Locator(".lab-yaml textarea").FillAsync(edited);
            await page.Locator(".lab-yaml textarea").PressAsync("Tab");
            await page.Locator(".lab-save").ClickAsync(new() { Timeout = Step });
            await Expect(page.Locator(".lab-save")).ToBeDisabledAsync(new() { Timeout = Step });
            Assert.Equal(stored["lab_revisions"] + 1, processes.Store.Count("lab_revisions"));
            Assert.Equal("ok", processes.Store.IntegrityCheck());

            await processes.StopAsync(Cancel);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{error.Message}\n\nprocess output:\n{processes.Output}", error);
        }
        finally
        {
            await processes.DisposeAsync();
            if (kernelLab is not null)
            {
                FaultKernel.Remove(kernelLab);
            }

            if (mounted is not null && ExternalCommand.Run("umount", mounted).ExitCode != 0)
            {
                _ = ExternalCommand.Run("umount", "-l", mounted);
            }

            processes.DeleteFolder();
        }
    }

    /// <summary>
    /// Empties the store's WAL into the store (so a write must grow a file, as on a disk that filled up over time), then
    /// writes a filler file as root until the kernel says ENOSPC. Returns the filler's path.
    /// </summary>
    private static string Fill(string dataFolder, StoreFile store)
    {
        store.Checkpoint();
        var filler = Path.Combine(dataFolder, "filler");
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        return filler;
    }

    private static async Task ExpectFullAsync(ILocator message, string startsWith, string dataFolder)
    {
        await Expect(message).ToBeVisibleAsync(new() { Timeout = Step });
        var text = (await message.InnerTextAsync()).Trim();
        Assert.StartsWith(startsWith, text, StringComparison.Ordinal);
        Assert.Contains("Nothing of it was saved; everything saved before is kept.", text, StringComparison.Ordinal);
        Assert.Contains($"`df -h {dataFolder}`", text, StringComparison.Ordinal);
        Assert.Contains("netlab up --data", text, StringComparison.Ordinal);
    }
}
