using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetLab.Agent.Client.Hosting;
using NetLab.Web.Hosting;

namespace NetLab.Web.Tests.Hosting;

/// <summary>The watcher on fake time with a scripted launcher; the real `netlab up` case is in NetLab.Cli.Tests.</summary>
public sealed class LauncherWatcherTests
{
    private const int LauncherPid = 4242;
    private const long LauncherStart = 123456;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_running_launcher_is_looked_at_every_second_and_the_web_keeps_running()
    {
        var probe = new ScriptedProbe(new ProcessSighting(Running: true, LauncherStart));
        var lifetime = new RecordingLifetime();
        var time = new FakeTimeProvider();
        using var watcher = Watcher(probe, lifetime, time, new FakeLogger<LauncherWatcher>());

        await watcher.StartAsync(Cancel);
        Assert.Equal(LauncherPid, await probe.Looks.Reader.ReadAsync(Cancel));
        for (var second = 0; second < 5; second++)
        {
            time.Advance(LauncherWatcher.Interval);
            Assert.Equal(LauncherPid, await probe.Looks.Reader.ReadAsync(Cancel));
        }

        Assert.False(lifetime.StopRequested.IsCompleted);
        await watcher.StopAsync(Cancel);
        Assert.False(lifetime.StopRequested.IsCompleted);
    }

    [Fact]
    public async Task A_launcher_that_dies_stops_the_web_at_the_next_look_and_says_why()
    {
        var probe = new ScriptedProbe(new ProcessSighting(Running: true, LauncherStart));
        var lifetime = new RecordingLifetime();
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<LauncherWatcher>();
        using var watcher = Watcher(probe, lifetime, time, logger);

        await watcher.StartAsync(Cancel);
        _ = await probe.Looks.Reader.ReadAsync(Cancel);
        probe.Now = ProcessSighting.Gone;
        Assert.False(lifetime.StopRequested.IsCompleted);

        time.Advance(LauncherWatcher.Interval);
        await lifetime.StopRequested.WaitAsync(Cancel);
        await watcher.ExecuteTask!.WaitAsync(Cancel);

        Assert.Contains(logger.Collector.GetSnapshot(), record =>
            record.Level == LogLevel.Warning && record.Message == $"The launcher (netlab up, pid {LauncherPid}) is gone (/proc shows it ended or its pid held by another process); stopping");
        Assert.Equal(1, lifetime.StopCalls);

        // Having asked once, the watcher looks no more.
        time.Advance(LauncherWatcher.Interval * 3);
        Assert.Equal(2, probe.LookCount);
    }

    [Fact]
    public async Task A_launcher_killed_and_left_a_zombie_that_hidepid_hides_stops_the_web_by_its_parent()
    {
        // Under hidepid the web cannot read root's /proc entry, and kill(pid, 0) answers EPERM for a zombie as for a
        // running process: /proc says "running, start time unknown" for good. Only the parent tells.
        var probe = new ScriptedProbe(new ProcessSighting(Running: true, StartTime: null));
        var lifetime = new RecordingLifetime();
        var time = new FakeTimeProvider();
        var logger = new FakeLogger<LauncherWatcher>();
        using var watcher = Watcher(probe, lifetime, time, logger);

        await watcher.StartAsync(Cancel);
        _ = await probe.Looks.Reader.ReadAsync(Cancel);
        time.Advance(LauncherWatcher.Interval);
        _ = await probe.Looks.Reader.ReadAsync(Cancel);
        Assert.False(lifetime.StopRequested.IsCompleted);

        probe.Parent = 1; // the kernel handed the web to init as the launcher exited
        time.Advance(LauncherWatcher.Interval);
        await lifetime.StopRequested.WaitAsync(Cancel);

        Assert.Contains(logger.Collector.GetSnapshot(), record =>
            record.Level == LogLevel.Warning
            && record.Message == $"The launcher (netlab up, pid {LauncherPid}) is gone (the web's parent is now pid 1, not the launcher); stopping");
    }

    [Fact]
    public async Task A_web_whose_parent_is_not_the_launcher_at_start_up_stops_at_once()
    {
        var probe = new ScriptedProbe(new ProcessSighting(Running: true, LauncherStart)) { Parent = 77 };
        var lifetime = new RecordingLifetime();
        using var watcher = Watcher(probe, lifetime, new FakeTimeProvider(), new FakeLogger<LauncherWatcher>());

        await watcher.StartAsync(Cancel);
        await lifetime.StopRequested.WaitAsync(Cancel);
        Assert.Equal(1, probe.LookCount);
    }

    [Theory]
    [InlineData(LauncherPid, true, LauncherStart, null)]
    [InlineData(LauncherPid, true, null, null)] // hidepid: running as far as /proc can tell, and still the parent
    [InlineData(1, true, null, "the web's parent is now pid 1, not the launcher")]
    [InlineData(1, true, LauncherStart, "the web's parent is now pid 1, not the launcher")]
    [InlineData(LauncherPid, false, LauncherStart, "/proc shows it ended or its pid held by another process")]
    public void The_launcher_is_gone_when_it_is_no_longer_the_parent_or_proc_says_it_ended(int parent, bool running, long? startTime, string? why) =>
        Assert.Equal(why, LauncherWatcher.WhyGone(LauncherPid, parent, new ProcessSighting(running, startTime), LauncherStart));

    [Fact]
    public void The_real_probe_names_the_parent_that_proc_names()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("getppid and /proc are Linux's here.");
        }

        // Field 4 of /proc/self/stat is the parent pid.
        var stat = File.ReadAllText("/proc/self/stat");
        var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(parent, new ProcProcessProbe().ParentPid());
        Assert.NotEqual(0, parent);
    }

    [Fact]
    public async Task A_launcher_already_gone_at_start_up_stops_the_web_at_once()
    {
        var probe = new ScriptedProbe(ProcessSighting.Gone);
        var lifetime = new RecordingLifetime();
        using var watcher = Watcher(probe, lifetime, new FakeTimeProvider(), new FakeLogger<LauncherWatcher>());

        await watcher.StartAsync(Cancel);
        await lifetime.StopRequested.WaitAsync(Cancel);
        Assert.Equal(1, probe.LookCount);
    }

    [Fact]
    public async Task Without_a_launcher_pid_the_web_is_not_watched()
    {
        var probe = new ScriptedProbe(ProcessSighting.Gone);
        var lifetime = new RecordingLifetime();
        using var watcher = new LauncherWatcher(Options.Create(new WebOptions()), probe, new FakeTimeProvider(), lifetime, new FakeLogger<LauncherWatcher>());

        await watcher.StartAsync(Cancel);
        await watcher.ExecuteTask!.WaitAsync(Cancel);

        Assert.Equal(0, probe.LookCount);
        Assert.False(lifetime.StopRequested.IsCompleted);
    }

    [Theory]
    [InlineData(true, LauncherStart, false)]
    [InlineData(false, LauncherStart, true)]
    [InlineData(true, LauncherStart + 1, true)] // the launcher died and a new process got its pid
    [InlineData(true, null, false)] // hidden by hidepid: running, start time unknown
    [InlineData(false, null, true)]
    public void Gone_means_not_running_or_another_process_with_that_pid(bool running, long? startTime, bool gone) =>
        Assert.Equal(gone, LauncherWatcher.IsGone(new ProcessSighting(running, startTime), LauncherStart));

    [Fact]
    public void Without_a_known_start_time_only_running_counts() =>
        Assert.False(LauncherWatcher.IsGone(new ProcessSighting(Running: true, StartTime: 99), expectedStartTime: null));

    [Fact]
    public void Launcher_settings_that_cannot_name_a_process_are_refused_at_start_up()
    {
        var validator = new WebOptionsValidator();

        Assert.True(validator.Validate(null, new WebOptions { LauncherPid = LauncherPid, LauncherStartTime = LauncherStart }).Succeeded);
        Assert.True(validator.Validate(null, new WebOptions()).Succeeded);
        Assert.Contains("Web:LauncherPid 0 is not a process id.", validator.Validate(null, new WebOptions { LauncherPid = 0 }).Failures!);
        Assert.Contains(
            "Web:LauncherStartTime is set without Web:LauncherPid; give both or neither.",
            validator.Validate(null, new WebOptions { LauncherStartTime = LauncherStart }).Failures!);
    }

    private static LauncherWatcher Watcher(IProcessProbe probe, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<LauncherWatcher> logger) =>
        new(Options.Create(new WebOptions { LauncherPid = LauncherPid, LauncherStartTime = LauncherStart }), probe, time, lifetime, logger);

    /// <summary>Answers with <see cref="Now"/> and reports each look, so a test waits for a look instead of for time.</summary>
    private sealed class ScriptedProbe(ProcessSighting initial) : IProcessProbe
    {
        private int _lookCount;

        public volatile ProcessSighting Now = initial;

        /// <summary>The web's parent: the launcher until a test says otherwise.</summary>
        public volatile int Parent = LauncherPid;

        public Channel<int> Looks { get; } = Channel.CreateUnbounded<int>();

        public int LookCount => Volatile.Read(ref _lookCount);

        public ProcessSighting Look(int pid)
        {
            _ = Interlocked.Increment(ref _lookCount);
            _ = Looks.Writer.TryWrite(pid);
            return Now;
        }

        public int ParentPid() => Parent;
    }

    private sealed class RecordingLifetime : IHostApplicationLifetime
    {
        private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _stopCalls;

        public Task StopRequested => _stopRequested.Task;

        public int StopCalls => Volatile.Read(ref _stopCalls);

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
            _ = Interlocked.Increment(ref _stopCalls);
            _ = _stopRequested.TrySetResult();
        }
    }
}
