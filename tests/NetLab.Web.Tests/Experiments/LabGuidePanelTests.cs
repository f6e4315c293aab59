using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using NetLab.Core.Experiments;
using NetLab.Web.Components.Controls.Experiments;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Model;
using NetLab.Web.Tests.Components;

namespace NetLab.Web.Tests.Experiments;

public sealed class LabGuidePanelTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private LabTemplates Templates => _context.Bunit.Services.GetRequiredService<LabTemplates>();

    private IRenderedComponent<LabGuidePanel> Render(string template) =>
        _context.Bunit.Render<LabGuidePanel>(p => p.Add(g => g.Guide, Templates.GuideFor(template)!));

    [Fact]
    public void English_is_shown_first_and_the_toggle_shows_the_chinese_original()
    {
        var panel = Render("macvlan-bridge");
        Assert.Contains("bridge mode", panel.Find(".guide-instructions").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll(".guide-original"));

        panel.Find("button.guide-chinese").Click();

        Assert.Contains("ping自己不通????", panel.Find(".guide-original").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll(".guide-instructions"));

        panel.Find("button.guide-english").Click();
        Assert.NotNull(panel.Find(".guide-instructions"));
    }

    [Fact]
    public void The_guides_markdown_is_shown_formatted_not_as_its_source()
    {
        var panel = Render("macvlan-vepa");

        var instructions = panel.Find(".guide-instructions");
        Assert.Contains(instructions.QuerySelectorAll("strong"), s => s.TextContent == "macvlan-vepa-hairpin");
        Assert.Contains(instructions.QuerySelectorAll("code"), c => c.TextContent == "hairpin: true");
        Assert.Equal(3, instructions.QuerySelectorAll("ol > li").Length);
        Assert.DoesNotContain("**", instructions.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("`", instructions.TextContent, StringComparison.Ordinal);

        panel.Find("button.guide-chinese").Click();
        Assert.Contains(panel.FindAll(".guide-original code"), c => c.TextContent == "ip netns add macvlan4_ns");
    }

    [Fact]
    public void A_hostile_guide_puts_no_html_or_script_url_of_its_own_in_the_page()
    {
        var guide = LabGuide.Parse("""
            # Hostile

            ## Instructions

            <script>alert(1)</script>

            Look: <img src="x" onerror="alert(1)"> and [x](javascript:alert(1)) and <javascript:alert(2)>.

            ## 原文

            <iframe src="https://example.org"></iframe> ![y](javascript:alert(3))

            ## Expected results

            | from | to | outcome | rule | why |
            |---|---|---|---|---|
            | ns2 | 100.0.0.3 | fails | `no-route` | none |

            <b onmouseover="alert(4)">notes</b> [z](JAVASCRIPT:alert(5))
            """);
        var panel = _context.Bunit.Render<LabGuidePanel>(p => p.Add(g => g.Guide, guide));

        void AssertHarmless()
        {
            var guidePanel = panel.Find(".lab-guide");
            Assert.Empty(guidePanel.QuerySelectorAll("script, img, iframe, b"));
            Assert.Empty(guidePanel.QuerySelectorAll("[onerror], [onmouseover]"));
            Assert.All(guidePanel.QuerySelectorAll("a[href]"), a => Assert.DoesNotContain("script", a.GetAttribute("href")!, StringComparison.OrdinalIgnoreCase));
        }

        AssertHarmless();
        Assert.Contains("<b onmouseover", panel.Find(".guide-notes").TextContent, StringComparison.Ordinal);
        Assert.Contains("<script>alert(1)</script>", panel.Find(".guide-instructions").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, panel.FindAll(".guide-instructions a").Count);
        panel.Find("button.guide-chinese").Click();
        AssertHarmless();
    }

    [Fact]
    public void The_expected_results_list_each_pair_with_its_rule()
    {
        var panel = Render("macvlan-vepa");

        var row = panel.Find(".guide-expected-row[data-from='ns2'][data-address='100.0.0.3']");
        Assert.Contains("fails", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("macvlan-vepa-no-hairpin", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_needing_a_kind_the_kernel_may_lack_says_so_before_apply()
    {
        Assert.Contains("needs the kernel's vlan link kind", Render("vlan-888").Find(".guide-requires").TextContent, StringComparison.Ordinal);
        Assert.Empty(Render("macvlan-bridge").FindAll(".guide-requires"));
    }

    [Fact]
    public async Task The_new_lab_dialog_shows_the_selected_templates_guide()
    {
        var service = _context.Bunit.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<NewLabDialog> { { d => d.TemplateName, "vlan-888" } };

        await _context.Dialogs.InvokeAsync(() => service.ShowAsync<NewLabDialog>("New lab", parameters));

        _context.Dialogs.WaitForAssertion(() => Assert.Contains("vlan 888", _context.Dialogs.Find(".new-guide .guide-title").TextContent, StringComparison.Ordinal));
        Assert.NotNull(_context.Dialogs.Find(".new-guide .guide-requires"));
        Assert.Empty(_context.Dialogs.FindAll(".new-guide .guide-expected"));
    }

    [Fact]
    public void Every_template_with_a_guide_file_has_it_loaded_and_is_found_by_its_lab_name()
    {
        var withGuides = Templates.All.Where(t => File.Exists(Path.Combine(RepositoryFiles.LabsFolder, t.Name + ".md"))).ToList();

        Assert.Equal(7, withGuides.Count);
        Assert.All(withGuides, t => Assert.NotNull(t.Guide));
        Assert.All(withGuides, t => Assert.Same(t.Guide, Templates.GuideFor(t.LabName)));
        Assert.Null(Templates.GuideFor("no-such-lab"));
    }
}
