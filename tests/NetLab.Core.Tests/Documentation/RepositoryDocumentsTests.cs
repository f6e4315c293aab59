using System.Text.RegularExpressions;

namespace NetLab.Core.Tests.Documentation;

/// <summary>
/// The README stays a newcomer's page (short, the two commands, every link working) and the documents stay inside the
/// repository: a clone has everything they point at.
/// </summary>
public sealed partial class RepositoryDocumentsTests
{
    private const int ReadmeMaxLines = 160;
    private const long PictureMaxBytes = 300 * 1024;
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static MarkdownFile Readme => MarkdownFile.Read(Path.Combine(RepositoryFiles.Root, "README.md"));

    /// <summary>The README and docs/ (with its subfolders): the pages a reader follows links through.</summary>
    public static TheoryData<string> ReaderPages() =>
        new(new[] { "README.md" }.Concat(
            Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "docs"), "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal)));

    [Fact]
    public void The_readme_is_a_short_page()
    {
        var lines = Readme.Lines.Length;
        Assert.True(lines <= ReadmeMaxLines, $"README.md has {lines} lines; a newcomer's page has at most {ReadmeMaxLines}: move detail to docs/");
    }

    [Fact]
    public void The_readmes_first_commands_are_the_two_that_run_and_test_netlab()
    {
        var firstBlock = FencedBlock().Match(Readme.Text.ReplaceLineEndings("\n"));
        Assert.True(firstBlock.Success, "README.md has no fenced code block");
        var commands = firstBlock.Groups["body"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["sudo scripts/run.sh", "sudo scripts/test.sh"], commands);
    }

    [Theory]
    [MemberData(nameof(ReaderPages))]
    public void Every_relative_link_points_to_a_file_of_the_repository_and_an_existing_heading(string page)
    {
        var file = MarkdownFile.Read(Path.Combine(RepositoryFiles.Root, page));
        var broken = new List<string>();
        foreach (var target in file.LinkTargets().Where(IsRelative))
        {
            var (path, anchor) = Split(target);
            var resolved = path.Length == 0 ? file.Path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file.Path)!, Uri.UnescapeDataString(path)));
            if (!IsInRepository(resolved))
            {
                broken.Add($"{target}: outside the repository");
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !MarkdownFile.Read(resolved).Anchors().Contains(anchor))
            {
                broken.Add($"{target}: no heading with anchor #{anchor} in {Path.GetFileName(resolved)}");
            }
        }

        Assert.True(broken.Count == 0, $"{page} has broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void No_markdown_file_points_outside_the_repository()
    {
        var outside = new List<string>();
        foreach (var file in MarkdownFile.AllInRepository())
        {
            var lines = file.Lines;
            for (var i = 0; i < lines.Length; i++)
            {
                if (OutsidePath().Match(lines[i]) is { Success: true } match)
                {
                    outside.Add($"{file.RepositoryPath}:{i + 1}: {match.Value}");
                }
            }

            foreach (var target in file.LinkTargets().Where(IsRelative))
            {
                var (path, _) = Split(target);
                if (path.Length > 0 && !IsInRepository(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file.Path)!, Uri.UnescapeDataString(path)))))
                {
                    outside.Add($"{file.RepositoryPath}: link {target}");
                }
            }
        }

        Assert.True(outside.Count == 0, "Markdown files point outside the repository (a clone does not have it):\n" + string.Join("\n", outside));
    }

    [Fact]
    public void The_readmes_picture_is_in_the_repository_and_small()
    {
        var pictures = Readme.LinkTargets().Where(t => t.EndsWith(".png", StringComparison.Ordinal)).ToList();
        Assert.Contains("docs/images/lab-page.png", pictures);
        foreach (var picture in pictures)
        {
            var file = new FileInfo(Path.Combine(RepositoryFiles.Root, picture));
            Assert.True(file.Exists, $"{picture} is missing");
            Assert.True(file.Length is > 0 and < PictureMaxBytes, $"{picture} is {file.Length} bytes; keep README pictures under {PictureMaxBytes} bytes");
            Assert.Equal(PngSignature, File.ReadAllBytes(file.FullName)[..PngSignature.Length]);
        }
    }

    [Fact]
    public void The_test_recognises_broken_and_outside_links()
    {
        // The checks above must be able to fail: an anchor that is not a heading, and a link that leaves the checkout.
        Assert.Equal("a-five-minute-tour", MarkdownFile.Slug("A five-minute tour"));
        Assert.Equal("benchmarks-benchnetlabwebbenchmarks", MarkdownFile.Slug("Benchmarks (bench/NetLab.Web.Benchmarks)"));
        Assert.Contains("a-five-minute-tour", Readme.Anchors());
        Assert.False(IsInRepository(Path.GetFullPath(Path.Combine(RepositoryFiles.Root, "docs", "..", "..", "shared", "seed"))));
        Assert.Matches(OutsidePath(), "the notes are in ../shared/seed/");
        Assert.Matches(OutsidePath(), "see /work/shared/docs/design.md");
        Assert.DoesNotMatch(OutsidePath(), "see docs/seed/macvlan-notes.zh.txt");
    }

    private static bool IsRelative(string target) =>
        !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal);

    private static (string Path, string? Anchor) Split(string target)
    {
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
    }

    private static bool IsInRepository(string fullPath)
    {
        var root = Path.TrimEndingDirectorySeparator(RepositoryFiles.Root);
        return fullPath == root || fullPath.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^```[a-z]*\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    /// <summary>The sibling folder of the checkout the project's notes once lived in, or the machine's work folder.</summary>
    [GeneratedRegex(@"\.\./shared\b|/work/")]
    private static partial Regex OutsidePath();
}
