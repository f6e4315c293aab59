using System.Diagnostics;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

/// <summary>
/// kill -9 in the middle of a run: a child process (this test assembly, running only <see cref="Child_records_until_killed"/>)
/// records entries and, after each commit, appends the entry's number to a "shown" file, as the dialog shows an entry
/// once it is committed. The parent kills it with SIGKILL and checks that every entry shown is in the database.
/// A killed child cleans nothing up, so its temp folder is the parent's: everything it makes under TMPDIR (this class's
/// own temp database, the runtime's diagnostic socket) goes when the parent's folder does.
/// </summary>
public sealed class KilledRecorderTests : IDisposable
{
    private const string DatabaseVariable = "NETLAB_KILL_TEST_DB";
    private const string ShownVariable = "NETLAB_KILL_TEST_SHOWN";
    private const string ChildFolderVariable = "NETLAB_KILL_TEST_CHILD_FOLDER";
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Everything_shown_before_a_kill_9_of_the_recording_process_is_in_the_database()
    {
        var lab = (await _db.Store.CreateBlankAsync(LabStore.LocalUserId, "killed")).Value!;
        var shown = Path.Combine(_db.Folder, "shown.txt");
        File.WriteAllText(shown, "");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The test host is `dotnet` running this assembly, or the assembly's own apphost.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(KilledRecorderTests).Assembly.Location);
        }

        foreach (var argument in new[] { "-method", $"{typeof(KilledRecorderTests).FullName}.{nameof(Child_records_until_killed)}", "-explicit", "only" })
        {
            start.ArgumentList.Add(argument);
        }

        // The child builds this class too (so a TempDatabase of its own) and is killed before it can delete anything.
        var childTemp = Directory.CreateDirectory(Path.Combine(_db.Folder, "child-tmp")).FullName;
        var childFolderFile = Path.Combine(_db.Folder, "child-folder.txt");
        start.Environment["TMPDIR"] = childTemp;
        start.Environment[ChildFolderVariable] = childFolderFile;
        start.Environment[DatabaseVariable] = _db.Database.DatabaseFile;
        start.Environment[ShownVariable] = shown;
        start.Environment["NETLAB_KILL_TEST_LAB"] = lab.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var child = Process.Start(start)!;
        _ = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(120));
            while (ShownCount(shown) < 300)
            {
                Assert.False(child.HasExited, $"the recording child exited early with code {(child.HasExited ? child.ExitCode : 0)}");
                await Task.Delay(20, timeout.Token);
            }
        }
        finally
        {
            // SIGKILL, mid-run: the child is still appending.
            child.Kill();
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(137, child.ExitCode);
        var childFolder = File.ReadAllText(childFolderFile);
        Assert.True(
            Path.GetFullPath(childFolder).StartsWith(childTemp + Path.DirectorySeparatorChar, StringComparison.Ordinal),
            $"the killed child's temp folder {childFolder} should be inside {childTemp}, which this test's folder deletes");
        var shownEntries = File.ReadAllLines(shown).Where(l => l.Length > 0).Select(long.Parse).ToList();
        var runs = new RunStore(_db.Database, TimeProvider.System);
        var run = Assert.Single(await runs.ListRunsAsync(LabStore.LocalUserId, lab.Id));
        var stored = (await runs.GetEntriesAsync(LabStore.LocalUserId, run.Id)).Select(e => e.Sequence).ToHashSet();
        Assert.True(shownEntries.Count >= 300);
        Assert.All(shownEntries, sequence => Assert.Contains(sequence, stored));
        Assert.Equal(1, await runs.MarkAbandonedRunsInterruptedAsync());
    }

    /// <summary>The child's side; explicit, so only the test above runs it (and a plain test run never does).</summary>
    [Fact(Explicit = true)]
    public async Task Child_records_until_killed()
    {
        var file = Environment.GetEnvironmentVariable(DatabaseVariable);
        var shown = Environment.GetEnvironmentVariable(ShownVariable);
        Assert.SkipWhen(file is null || shown is null, "run only by Everything_shown_before_a_kill_9_of_the_recording_process_is_in_the_database");
        // Where this process's own temp folder is, for the parent to check that it deletes it.
        File.WriteAllText(Environment.GetEnvironmentVariable(ChildFolderVariable)!, _db.Folder);
        var runs = new RunStore(new SqliteDatabase(file!), TimeProvider.System);
        var run = await runs.CreateRunAsync(LabStore.LocalUserId, long.Parse(Environment.GetEnvironmentVariable("NETLAB_KILL_TEST_LAB")!, System.Globalization.CultureInfo.InvariantCulture), 1, "name: killed\n", "killed", "", "");
        var recorder = runs.OpenRecorder(run.Id);
        using var screen = new StreamWriter(shown!, append: true) { AutoFlush = true };
        recorder.Committed += batch =>
        {
            foreach (var entry in batch)
            {
                screen.WriteLine(entry.Sequence);
            }
        };
        for (var i = 0; ; i++)
        {
            var committed = recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", 2, i % 2 == 0 ? "up" : "down")));
            if (i % 10 == 9)
            {
                await committed;
            }
        }
    }

    private static int ShownCount(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Count(c => c == '\n');
    }
}
