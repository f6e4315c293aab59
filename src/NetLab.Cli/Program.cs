using NetLab.Cli;

return await NetlabCommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
