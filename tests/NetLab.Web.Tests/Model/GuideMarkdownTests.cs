using NetLab.Web.Model;

namespace NetLab.Web.Tests.Model;

public sealed class GuideMarkdownTests
{
    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(1)")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData(" javascript:alert(1)")]
    [InlineData("java\tscript:alert(1)")]
    public void A_url_with_a_scheme_that_can_run_code_is_refused(string url) =>
        Assert.Equal(GuideMarkdown.RefusedUrl, GuideMarkdown.SafeUrl(url));

    [Theory]
    [InlineData("https://man7.org/linux/man-pages/man8/ip-link.8.html")]
    [InlineData("http://example.org/a?b=c:d")]
    [InlineData("mailto:someone@example.org")]
    [InlineData("../docs/lab-format.md")]
    [InlineData("/labs/macvlan-bridge")]
    [InlineData("#expected-results")]
    [InlineData("docs/a:b.md?x#y")]
    [InlineData("/path/with:colon")]
    public void A_relative_or_web_or_mail_url_is_kept(string url) => Assert.Equal(url, GuideMarkdown.SafeUrl(url));

    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](java&#x09;script:alert(1))")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("[x][r]\n\n[r]: javascript:alert(1)")]
    public void Markdig_writes_every_kind_of_link_through_the_check(string markdown)
    {
        var html = GuideMarkdown.ToHtml(markdown);

        Assert.DoesNotMatch("(?i)=\"[^\"]*script", html);
        Assert.Contains("href=\"#\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_is_shown_as_a_link_to_its_address_so_reading_fetches_nothing()
    {
        Assert.Equal("<p><a href=\"https://example.org/pixel.png\">pixel</a></p>\n", GuideMarkdown.ToHtml("![pixel](https://example.org/pixel.png)"));
    }

    [Fact]
    public void Raw_html_in_a_guide_is_written_as_text()
    {
        var html = GuideMarkdown.ToHtml("<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)> more\n\n<div onclick=\"x()\">block</div>");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<div", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Attribute_syntax_of_markdown_extensions_stays_text()
    {
        var html = GuideMarkdown.ToHtml("# Title {onclick=alert(1)}\n\n[x](https://example.org){onmouseover=alert(1)}");

        Assert.DoesNotContain("onclick=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("onmouseover=\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_beyond_the_bound_is_not_parsed_and_says_why()
    {
        var html = GuideMarkdown.ToHtml(new string('*', GuideMarkdown.MaxChars + 1));

        Assert.Contains("guide-too-long", html, StringComparison.Ordinal);
        Assert.Contains("more than the 256 KB", html, StringComparison.Ordinal);
        Assert.DoesNotContain("***", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_guide_file_beyond_the_bound_is_not_read_and_its_template_says_why()
    {
        var file = Path.Combine(Path.GetTempPath(), $"netlab-guide-{Guid.NewGuid():N}.md");
        try
        {
            File.WriteAllText(file, "# Big\n\n## Instructions\n\n" + new string('x', GuideMarkdown.MaxChars));

            var guide = LabTemplates.ReadGuide(file);

            Assert.NotNull(guide);
            Assert.StartsWith("This guide has 256 KB, more than", guide.Instructions, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_original_notes_keep_each_line()
    {
        var html = GuideMarkdown.LinesToHtml("`ip netns add a`\n1 packets transmitted");

        Assert.Equal("<p><code>ip netns add a</code><br />\n1 packets transmitted</p>\n", html);
    }
}
