using System.Diagnostics;

namespace NetLab;

/// <summary>
/// The tests' OpenID Connect provider (tests/NetLab.TestIdentityProvider, OpenIddict) running as a process of its own on
/// a free loopback port, with the clients and users of a JSON configuration; a project that uses it references that
/// project for the build order only. Disposing it closes its standard input, which ends it, and kills it if it lingers.
/// </summary>
internal sealed class TestIdentityProviderProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _configFile;

    private TestIdentityProviderProcess(Process process, string configFile, Uri authority)
    {
        _process = process;
        _configFile = configFile;
        Authority = authority;
    }

    /// <summary>The issuer and base address, e.g. http://127.0.0.1:38305/.</summary>
    public Uri Authority { get; }

    /// <summary>Starts the provider with <paramref name="configJson"/> (clients and users, see ProviderConfig) and waits until it serves.</summary>
    public static async Task<TestIdentityProviderProcess> StartAsync(string configJson, CancellationToken cancellationToken)
    {
        var configFile = Path.Combine(Path.GetTempPath(), $"netlab-idp-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(configFile, configJson, cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ProviderAssembly(), "--config", configFile })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The test identity provider did not start.");
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
            {
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException($"The test identity provider did not start: {line}\n{await errors.ConfigureAwait(false)}");
            }

            return new TestIdentityProviderProcess(process, configFile, new Uri(line["listening ".Length..].TrimEnd('/') + "/"));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            File.Delete(configFile);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        finally
        {
            _process.Dispose();
            File.Delete(_configFile);
        }
    }

    private static string ProviderAssembly()
    {
        // Built beside the test projects in the same configuration (bin/<Configuration>/net10.0).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var assembly = Path.Combine(RepositoryFiles.Root, "tests", "NetLab.TestIdentityProvider", "bin", configuration, "net10.0", "NetLab.TestIdentityProvider.dll");
        return File.Exists(assembly) ? assembly : throw new FileNotFoundException($"The test identity provider is not built: {assembly} (dotnet build tests/NetLab.TestIdentityProvider).");
    }
}
