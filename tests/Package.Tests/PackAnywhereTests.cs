using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// The package packs from a copy of the sources that has never been built (as a fresh clone), whatever output layout
    /// the caller chooses: the generator and the attributes' documentation come from their projects' build outputs, not
    /// from bin/ paths spelled in the project file.
    /// </summary>
    public sealed class PackAnywhereTests
    {
        [Theory]
        [InlineData("artifacts")]
        [InlineData("base-output-path")]
        public void Pack_FromUnbuiltSources_WithChosenOutputLayout_ContainsEveryAssembly(string layout)
        {
            string work = Directory.CreateTempSubdirectory("kernelgen-pack-anywhere-").FullName;
            try
            {
                string sources = Path.Combine(work, "src-copy");
                CopySources(FindRepositoryRoot(), sources);
                string feed = Path.Combine(work, "feed");
                string outputs = Path.Combine(work, "outputs");
                string layoutArgument = layout == "artifacts"
                    ? $"--artifacts-path \"{outputs}\""
                    : $"-p:BaseOutputPath=\"{outputs}/bin/\"";

                (int exitCode, string output) = Shell.Run(
                    "dotnet", $"pack \"{Path.Combine(sources, "src", "Runtime", "KernelGen.Runtime.csproj")}\" -c Release -o \"{feed}\" {layoutArgument}",
                    sources, PackageFixture.Timeout);
                Assert.True(exitCode == 0, output);
                Assert.False(Directory.Exists(Path.Combine(sources, "src", "Generator", "bin")), "the generator was built into its bin/ folder, not the chosen layout");

                string package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
                using ZipArchive archive = ZipFile.OpenRead(package);
                string[] entries = archive.Entries.Select(static e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/KernelGen.Generator.dll", entries);
                Assert.Contains("lib/net10.0/KernelGen.Runtime.dll", entries);
                Assert.Contains("lib/net10.0/KernelGen.Runtime.xml", entries);
                Assert.Contains("lib/net10.0/KernelGen.Attributes.dll", entries);
                Assert.Contains("lib/net10.0/KernelGen.Attributes.xml", entries);
                Assert.True(archive.GetEntry("analyzers/dotnet/cs/KernelGen.Generator.dll")!.Length > 10_000, "the generator entry is not an assembly");
            }
            finally
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temporary directory is harmless.
                }
            }
        }

        /// <summary>
        /// Copies what a clone holds for packing (src/, docs/, the shared props, README, changelog, licence), without any
        /// bin/ or obj/.
        /// </summary>
        private static void CopySources(string root, string destination)
        {
            foreach (string file in new[] { "Directory.Build.props", "README.md", "CHANGELOG.md", "LICENSE" })
            {
                Directory.CreateDirectory(destination);
                File.Copy(Path.Combine(root, file), Path.Combine(destination, file));
            }

            foreach (string folder in new[] { "src", "docs" })
            {
                string sourceRoot = Path.Combine(root, folder);
                foreach (string file in Directory.EnumerateFiles(sourceRoot, "*", SearchOption.AllDirectories))
                {
                    string relative = Path.GetRelativePath(sourceRoot, file);
                    string[] parts = relative.Split(Path.DirectorySeparatorChar);
                    if (parts.Contains("bin") || parts.Contains("obj"))
                    {
                        continue;
                    }

                    string target = Path.Combine(destination, folder, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(file, target);
                }
            }
        }

        private static string FindRepositoryRoot([CallerFilePath] string path = "") =>
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
    }
}
