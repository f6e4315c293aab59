using NetLab.Agent.Engine;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Tests.Engine;

/// <summary>A record reads back exactly what was written: without its cookie, a namespace re-made with a reused inode number would pass as NetLab's.</summary>
public sealed class NamespaceRecordsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"netlab-records-{Guid.NewGuid():N}");

    [Theory]
    [InlineData(3UL)]
    [InlineData(12564UL)]
    [InlineData(ulong.MaxValue)]
    public void A_made_record_reads_back_its_device_inode_and_cookie(ulong cookie)
    {
        var records = RootOwnedRecords();
        records.WriteMade("nltest-r.ns1", new FileStatus(4, 4026532238, 0, 0, false), cookie);

        var record = records.Read("nltest-r.ns1");

        Assert.NotNull(record);
        Assert.Equal((4UL, 4026532238UL), (record.Made!.Device, record.Made.Inode));
        Assert.Equal(cookie, record.Cookie);
    }

    [Fact]
    public void A_record_written_without_a_cookie_reads_back_without_one_and_a_pending_one_as_pending()
    {
        var records = RootOwnedRecords();
        records.WriteMade("nltest-r.ns1", new FileStatus(4, 17, 0, 0, false), null);
        records.WritePending("nltest-r.ns2");

        Assert.Null(records.Read("nltest-r.ns1")!.Cookie);
        Assert.True(records.Read("nltest-r.ns2")!.IsPending);
        Assert.Null(records.Read("nltest-r.ns3"));
    }

    [Fact]
    public void Pruning_keeps_a_young_record_of_a_name_not_made_yet_and_removes_old_records_of_names_that_are_gone()
    {
        // Another agent whose prefix starts with this one's ("nl-" and "nl-nltestkill-") writes its pending record
        // before the name's file exists: pruning it then made that agent disown the namespace it went on to make.
        var records = RootOwnedRecords();
        records.WritePending("nltest-r-young.ns1");
        records.WriteMade("nltest-r-young.ns2", new FileStatus(4, 17, 0, 0, false), 5);
        records.WritePending("nltest-r-old.ns1");
        records.WriteMade("nltest-r-old.ns2", new FileStatus(4, 17, 0, 0, false), 5);
        var now = DateTime.UtcNow;
        foreach (var old in new[] { "nltest-r-old.ns1", "nltest-r-old.ns2" })
        {
            File.SetLastWriteTimeUtc(Path.Combine(_directory, old), now - NamespaceRecords.PruneGrace - TimeSpan.FromSeconds(1));
        }

        records.PruneStale("nltest-r-", now);

        Assert.True(records.Has("nltest-r-young.ns1"));
        Assert.True(records.Has("nltest-r-young.ns2"));
        Assert.False(records.Has("nltest-r-old.ns1"));
        Assert.False(records.Has("nltest-r-old.ns2"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private NamespaceRecords RootOwnedRecords()
    {
        // Records are only written into a directory root owns (the agent runs as root).
        Assert.SkipWhen(Environment.UserName != "root", "Namespace records are written only by root; run the suite as root.");
        return new NamespaceRecords(_directory);
    }
}
