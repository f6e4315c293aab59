using NetLab.Cli;

return await NetlabCommandLine.InvokeAsync(args).ConfigureAwait(false);
