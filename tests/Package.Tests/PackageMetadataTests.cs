using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// What a package gallery shows: the nuspec's metadata, the icon, release notes, and a readme whose links work
    /// outside the repository; every address derives from the one RepositoryUrl in Directory.Build.props.
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class PackageMetadataTests
    {
        private readonly PackageFixture _package;

        public PackageMetadataTests(PackageFixture package)
        {
            _package = package;
        }

        [Fact]
        public void Pack_GivesNoWarnings()
        {
            Assert.True(_package.PackOutput.ExitCode == 0, _package.PackOutput.Output);
            // Any MSBuild, NuGet (NU5xxx) or compiler warning prints as "warning CODE".
            Assert.DoesNotMatch(@"(?i)\bwarning\s+[A-Z]+[0-9]+", _package.PackOutput.Output);
        }

        [Fact]
        public void Nuspec_HasTheGalleryFields_FromTheOneRepositoryUrl()
        {
            XElement metadata = Metadata(out XNamespace ns);
            Assert.StartsWith("https://", _package.RepositoryUrl, StringComparison.Ordinal);

            XElement repository = metadata.Element(ns + "repository")!;
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.Equal(_package.RepositoryUrl, repository.Attribute("url")?.Value);
            Assert.Equal(_package.RepositoryUrl, metadata.Element(ns + "projectUrl")?.Value);
            Assert.Equal("expression", metadata.Element(ns + "license")?.Attribute("type")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
            Assert.Contains("attention", metadata.Element(ns + "tags")?.Value ?? string.Empty, StringComparison.Ordinal);

            string releaseNotes = metadata.Element(ns + "releaseNotes")?.Value ?? string.Empty;
            string changelog = File.ReadAllText(Path.Combine(_package.RepositoryRoot, "CHANGELOG.md")).Trim();
            Assert.Equal(changelog.ReplaceLineEndings("\n"), releaseNotes.ReplaceLineEndings("\n"));
            Assert.Contains($"## {_package.Version}", releaseNotes, StringComparison.Ordinal);
        }

        [Fact]
        public void Icon_IsAPngInThePackage()
        {
            XElement metadata = Metadata(out XNamespace ns);
            string icon = metadata.Element(ns + "icon")?.Value ?? string.Empty;
            Assert.Equal("icon.png", icon);

            using ZipArchive archive = ZipFile.OpenRead(_package.PackagePath);
            using var bytes = new MemoryStream();
            archive.GetEntry(icon)!.Open().CopyTo(bytes);
            byte[] png = bytes.ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png.Take(8).ToArray());
            Assert.True(png.Length < 1024 * 1024, "NuGet refuses icons over 1 MiB");
        }

        [Fact]
        public void PackagedReadme_HasOnlyAbsoluteLinks_ToTheRepositoryFiles()
        {
            string packaged = _package.ReadPackageEntry("README.md")!;
            string repository = File.ReadAllText(Path.Combine(_package.RepositoryRoot, "README.md"));
            string fileBase = _package.RepositoryUrl + "/blob/main/";

            string[] targets = LinkTargets(packaged).ToArray();
            Assert.NotEmpty(targets);
            Assert.All(targets, static target => Assert.Matches("^(https?://|mailto:|#)", target));
            // The same text as the repository's README once the base is removed: only the links changed.
            Assert.Equal(repository, packaged.Replace(fileBase, string.Empty, StringComparison.Ordinal));
            // And the repository's README does have relative links, so the rewrite is what made them absolute.
            Assert.Contains(LinkTargets(repository), static target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith('#'));
        }

        [Fact]
        public void DocsPages_ShipInThePackage()
        {
            string docs = Path.Combine(_package.RepositoryRoot, "docs");
            string[] pages = Directory.GetFiles(docs, "*.md", SearchOption.AllDirectories);
            Assert.Contains(pages, static page => page.EndsWith("KG0001.md", StringComparison.Ordinal));
            foreach (string page in pages)
            {
                string entry = "docs/" + Path.GetRelativePath(docs, page).Replace(Path.DirectorySeparatorChar, '/');
                Assert.Equal(File.ReadAllText(page), _package.ReadPackageEntry(entry));
            }
        }

        /// <summary>
        /// The packed generator holds the help-link base built from RepositoryUrl (that the descriptors use it is
        /// Generator.Tests' DocsTests.HelpLinkBase_DerivesFromTheRepositoryUrlProperty).
        /// </summary>
        [Fact]
        public void GeneratorHelpLinks_DeriveFromTheRepositoryUrl()
        {
            using ZipArchive archive = ZipFile.OpenRead(_package.PackagePath);
            using var bytes = new MemoryStream();
            archive.GetEntry("analyzers/dotnet/cs/KernelGen.Generator.dll")!.Open().CopyTo(bytes);
            // String constants sit in the assembly's user-string heap as UTF-16.
            byte[] helpLinkBase = Encoding.Unicode.GetBytes(_package.RepositoryUrl + "/blob/main/docs/diagnostics/");
            Assert.True(bytes.ToArray().AsSpan().IndexOf(helpLinkBase) >= 0, "the packed generator's help links do not start with the repository URL");
        }

        private XElement Metadata(out XNamespace ns)
        {
            Assert.True(_package.PackOutput.ExitCode == 0, _package.PackOutput.Output);
            using ZipArchive archive = ZipFile.OpenRead(_package.PackagePath);
            using Stream nuspecStream = archive.Entries.Single(static e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            XDocument nuspec = XDocument.Load(nuspecStream);
            ns = nuspec.Root!.Name.Namespace;
            return nuspec.Root.Element(ns + "metadata")!;
        }

        /// <summary>Markdown link targets ("](target)") and HTML src/href values.</summary>
        private static System.Collections.Generic.IEnumerable<string> LinkTargets(string markdown) =>
            Regex.Matches(markdown, @"\]\(([^)\s]+)\)").Select(static m => m.Groups[1].Value)
                .Concat(Regex.Matches(markdown, @"\b(?:src|href)=""([^""]+)""").Select(static m => m.Groups[1].Value));
    }
}
