using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace KernelGen.Package.Tests
{
    /// <summary>How users meet the product: one NuGet package, consumed with a PackageReference only, JIT and NativeAOT.</summary>
    [Collection(PackageCollection.Name)]
    public sealed class PackageTests
    {
        private readonly PackageFixture _package;

        public PackageTests(PackageFixture package)
        {
            _package = package;
        }

        [Fact]
        public void Pack_ProducesOnePackage_WithGeneratorAsAnalyzer_AndNoDependencies()
        {
            Assert.True(_package.PackOutput.ExitCode == 0, _package.PackOutput.Output);
            Assert.True(File.Exists(_package.PackagePath), $"missing {_package.PackagePath}\n{_package.PackOutput.Output}");
            Assert.Single(Directory.GetFiles(_package.Feed, "*.nupkg"));

            using ZipArchive archive = ZipFile.OpenRead(_package.PackagePath);
            string[] entries = archive.Entries.Select(static e => e.FullName).ToArray();
            Assert.Contains("analyzers/dotnet/cs/KernelGen.Generator.dll", entries);
            Assert.Contains("lib/net10.0/KernelGen.Runtime.dll", entries);
            Assert.Contains("lib/net10.0/KernelGen.Attributes.dll", entries);
            Assert.Contains("lib/net10.0/KernelGen.Runtime.xml", entries);
            Assert.Contains("lib/net10.0/KernelGen.Attributes.xml", entries);
            Assert.Contains("README.md", entries);
            Assert.DoesNotContain(entries, static e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));

            using Stream nuspecStream = archive.Entries.Single(static e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            XDocument nuspec = XDocument.Load(nuspecStream);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            XElement metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("KernelGen", metadata.Element(ns + "id")!.Value);
            Assert.Equal(_package.Version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            Assert.Empty(metadata.Descendants(ns + "dependency"));
        }

        [Fact]
        public void Consumer_WithOnlyAPackageReference_BuildsWithoutWarnings_AndMatchesTheReference()
        {
            Assert.True(_package.PackOutput.ExitCode == 0, _package.PackOutput.Output);
            (int build, string buildOutput) = Shell.Run("dotnet", "build -c Release", _package.ConsumerDirectory, PackageFixture.Timeout);
            Assert.True(build == 0, buildOutput);
            Assert.Contains("0 Warning(s)", buildOutput);

            string dll = Path.Combine(_package.ConsumerDirectory, "bin", "Release", "net10.0", "Consumer.dll");
            (int run, string runOutput) = Shell.Run("dotnet", $"\"{dll}\"", _package.ConsumerDirectory, PackageFixture.Timeout);
            Assert.True(run == 0, runOutput);
            Assert.Contains("KERNELGEN-CONSUMER-OK", runOutput);
        }

        [Fact]
        public void Consumer_PublishedWithNativeAot_HasNoWarnings_AndRuns()
        {
            Assert.True(_package.PackOutput.ExitCode == 0, _package.PackOutput.Output);
            string output = Path.Combine(_package.WorkDirectory, "aot");
            (int publish, string publishOutput) = Shell.Run(
                "dotnet", $"publish -c Release -r linux-x64 -p:PublishAot=true -o \"{output}\"", _package.ConsumerDirectory, PackageFixture.Timeout);
            Assert.True(publish == 0, publishOutput);
            Assert.DoesNotContain(": warning ", publishOutput, StringComparison.OrdinalIgnoreCase);

            string native = Path.Combine(output, "Consumer");
            Assert.True(File.Exists(native), $"no native executable at {native}\n{publishOutput}");
            (int run, string runOutput) = Shell.Run(native, string.Empty, _package.ConsumerDirectory, PackageFixture.Timeout);
            Assert.True(run == 0, runOutput);
            Assert.Contains("KERNELGEN-CONSUMER-OK", runOutput);
        }
    }
}
