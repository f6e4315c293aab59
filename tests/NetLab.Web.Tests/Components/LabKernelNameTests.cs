using Bunit;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>
/// The lab page names the lab's kernel name (what its namespaces are called, nl-KERNELNAME.ELEMENT), with how to list
/// them: two labs of one template, as two students' copies are, read two different names.
/// </summary>
public sealed class LabKernelNameTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task The_header_shows_each_labs_own_kernel_name_and_how_to_find_its_namespaces()
    {
        var yaml = RepositoryFiles.Lab("macvlan-bridge.yaml");
        var first = (await _context.Store.CreateAsync(LabStore.LocalUserId, yaml, "first")).Value!;
        var second = (await _context.Store.CreateAsync(LabStore.LocalUserId, yaml, "second")).Value!;

        var shown = new List<string>();
        foreach (var lab in new[] { first, second })
        {
            var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));
            page.WaitForAssertion(() => Assert.Equal(lab.KernelName, page.Find(".lab-kernel-name code").TextContent));
            var tooltip = page.Find(".lab-kernel-name").GetAttribute("title")!;
            Assert.Contains($"nl-{lab.KernelName}.<element>", tooltip, StringComparison.Ordinal);
            Assert.Contains($"ip netns list | grep -F '{lab.KernelName}.'", tooltip, StringComparison.Ordinal);
            shown.Add(page.Find(".lab-kernel-name code").TextContent);
        }

        Assert.NotEqual(shown[0], shown[1]);
    }
}
