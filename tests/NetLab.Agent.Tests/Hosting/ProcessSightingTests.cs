using NetLab.Agent.Client.Hosting;

namespace NetLab.Agent.Tests.Hosting;

public sealed class ProcessSightingTests
{
    [Fact]
    public void A_proc_stat_line_gives_the_state_and_the_start_time_even_with_a_command_name_holding_spaces_and_parens()
    {
        var line = "4242 (dotnet (up) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 20 0 987654 300000000 5000 18446744073709551615 1 1 0 0 0 0 0 4096 17 0 0 0 0 0 0";

        Assert.Equal(new ProcessSighting(Running: true, StartTime: 987654), ProcessSighting.Parse(line));
        Assert.Equal(new ProcessSighting(Running: false, StartTime: 987654), ProcessSighting.Parse(line.Replace(") S ", ") Z ", StringComparison.Ordinal)));
        Assert.Null(ProcessSighting.Parse("4242 (cut short) S 1 2"));
        Assert.Null(ProcessSighting.Parse("no parentheses"));
    }

    [Fact]
    public void This_process_is_seen_running_with_its_own_start_time_and_a_pid_past_the_kernel_limit_is_gone()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("/proc is Linux's.");
        }

        var self = ProcessSighting.Of(Environment.ProcessId);
        Assert.True(self.Running);
        Assert.Equal(ProcessSighting.OwnStartTime(), self.StartTime);
        Assert.True(self.StartTime > 0);

        // pid_max is at most 2^22, so this pid never exists.
        Assert.Equal(ProcessSighting.Gone, ProcessSighting.Of(int.MaxValue - 1));
    }
}
