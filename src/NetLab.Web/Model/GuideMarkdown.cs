using System.Text;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace NetLab.Web.Model;

/// <summary>
/// Turns a guide's Markdown (<c>labs/NAME.md</c>) into HTML that is safe to put in the page as markup. A guide is a file
/// that comes with a lab, which may have been imported from anyone, so nothing in it may reach the page as HTML of its
/// own: raw HTML blocks and inline tags are written as text (<see cref="MarkdownExtensions.DisableHtml"/>), and since
/// Markdig does not sanitize URLs, every link and image URL goes through <see cref="SafeUrl"/>, which keeps only
/// relative, http(s) and mailto URLs (no <c>javascript:</c>, <c>data:</c>, <c>vbscript:</c>, ...); images become links,
/// so that reading a guide fetches nothing from elsewhere. Only CommonMark and
/// pipe tables are enabled: extensions such as generic attributes (<c>{onclick=...}</c>) would let a file write attributes.
/// </summary>
public static class GuideMarkdown
{
    /// <summary>
    /// The most text a guide may have, in characters of one section and in bytes of its file; a larger one is not
    /// parsed (the shipped guides have a few KB; Markdig's time grows with the text and some nestings).
    /// </summary>
    public const int MaxChars = 256 * 1024;

    /// <summary>What is shown instead of a text longer than <see cref="MaxChars"/>.</summary>
    public static string TooLongMessage(long length) =>
        $"This guide has {length / 1024} KB, more than the {MaxChars / 1024} KB a guide may have, so it is not shown; read its file instead.";

    /// <summary>What a link or image whose URL is refused points to instead: nowhere.</summary>
    public const string RefusedUrl = "#";

    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    private static readonly MarkdownPipeline Prose = new MarkdownPipelineBuilder().DisableHtml().UsePipeTables().Build();

    /// <summary>The seed's notes are written line by line (commands and their output), so each line break is kept.</summary>
    private static readonly MarkdownPipeline Lines = new MarkdownPipelineBuilder().DisableHtml().UsePipeTables().UseSoftlineBreakAsHardlineBreak().Build();

    /// <summary>HTML for Markdown prose (instructions, notes).</summary>
    public static string ToHtml(string markdown) => Render(markdown, Prose);

    /// <summary>HTML for line-oriented Markdown, keeping every line break (the seed's original notes).</summary>
    public static string LinesToHtml(string markdown) => Render(markdown, Lines);

    /// <summary>
    /// <paramref name="url"/> when a browser following it can only load a page or open a mail client: a relative URL
    /// or one with an allowed scheme; otherwise <see cref="RefusedUrl"/>.
    /// </summary>
    public static string SafeUrl(string url)
    {
        // A scheme ends at the first ':' that comes before any '/', '?' or '#'; without one the URL is relative.
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var pathStart = url.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (pathStart >= 0 && pathStart < colon))
        {
            return url;
        }

        // Compared as written: browsers drop whitespace and control characters from a scheme ("java\tscript:"), so
        // anything but an exact allowed scheme is refused rather than cleaned up.
        var scheme = url[..colon];
        return AllowedSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase) ? url : RefusedUrl;
    }

    private static string Render(string markdown, MarkdownPipeline pipeline)
    {
        if (markdown.Length > MaxChars)
        {
            return $"<p class=\"guide-too-long\">{TooLongMessage(markdown.Length)}</p>";
        }

        var document = Markdown.Parse(markdown, pipeline);

        // An image would make every reader's browser fetch whatever address the file names (a tracker, a huge file):
        // it is shown as a link to its address instead, which the reader may follow.
        foreach (var image in document.Descendants<LinkInline>().Where(l => l.IsImage))
        {
            image.IsImage = false;
        }

        using var writer = new StringWriter(new StringBuilder(markdown.Length * 2), System.Globalization.CultureInfo.InvariantCulture);
        var renderer = new HtmlRenderer(writer) { LinkRewriter = SafeUrl };
        pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString();
    }
}
