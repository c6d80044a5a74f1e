using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// docs/diagnostics/KGxxxx.md cannot drift: each descriptor links to its page, and each page's "Wrong" example raises
    /// that id while its "Fixed" example raises no KernelGen diagnostic and compiles.
    /// </summary>
    public sealed class DocsTests
    {
        private static readonly string DocsDirectory = Path.Combine(DiagnosticTests.RepositoryRoot(), "docs", "diagnostics");

        public static TheoryData<string> Ids() => new(DiagnosticTests.AllDescriptors().Select(static d => d.Id));

        [Theory]
        [MemberData(nameof(Ids))]
        public void Descriptor_LinksToItsPage_AndThePageExists(string id)
        {
            DiagnosticDescriptor descriptor = DiagnosticTests.AllDescriptors().Single(d => d.Id == id);
            Assert.Equal(Diagnostics.DiagnosticDescriptors.HelpLinkBase + id + ".md", descriptor.HelpLinkUri);
            string page = File.ReadAllText(Path.Combine(DocsDirectory, id + ".md"));
            Assert.StartsWith($"# {id}: {descriptor.Title}", page);
            Assert.Contains($"Severity: **{descriptor.DefaultSeverity}**", page);
        }

        /// <summary>
        /// The help links follow the one repository address: RepositoryUrl and KernelGenRepositoryFileBase in
        /// Directory.Build.props, from which the generator's build writes the constant (and the package its links).
        /// </summary>
        [Fact]
        public void HelpLinkBase_DerivesFromTheRepositoryUrlProperty()
        {
            XDocument props = XDocument.Load(Path.Combine(DiagnosticTests.RepositoryRoot(), "Directory.Build.props"));
            string url = props.Descendants("RepositoryUrl").Single().Value;
            string fileBase = props.Descendants("KernelGenRepositoryFileBase").Single().Value.Replace("$(RepositoryUrl)", url, StringComparison.Ordinal);
            Assert.StartsWith("https://", url, StringComparison.Ordinal);
            Assert.Equal(Diagnostics.DiagnosticDescriptors.HelpLinkBase, fileBase + "docs/diagnostics/");
        }

        [Theory]
        [MemberData(nameof(Ids))]
        public void PageExamples_BehaveAsDocumented(string id)
        {
            string page = File.ReadAllText(Path.Combine(DocsDirectory, id + ".md"));
            string? wrong = Example(page, "Wrong");
            string? fixedExample = Example(page, "Fixed");
            if (wrong is null || fixedExample is null)
            {
                // KG0999 has no example; KG0014's are project-file snippets (covered by DiagnosticTests.KG0014_*).
                Assert.True(id is "KG0999" or "KG0014", $"{id}.md lacks C# Wrong/Fixed examples");
                return;
            }

            (GeneratorRunResult wrongResult, _) = GeneratorHarness.Run(Usings + wrong);
            Assert.Contains(wrongResult.Diagnostics, d => d.Id == id);

            (GeneratorRunResult fixedResult, Compilation output) = GeneratorHarness.Run(Usings + fixedExample);
            Assert.Empty(fixedResult.Diagnostics);
            Assert.Empty(output.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error));
        }

        private const string Usings = "using System;\nusing KernelGen;\n\n";

        private static string? Example(string page, string heading)
        {
            Match match = Regex.Match(page, $"## {heading}\\s+```csharp\\n(.*?)```", RegexOptions.Singleline);
            return match.Success ? match.Groups[1].Value : null;
        }
    }
}
