using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Xunit;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// The README's walkthrough works as printed: its code block (between the walkthrough markers) becomes the Program.cs
    /// of a new console project that references only the packed package through the README's nuget.config; it must
    /// build without warnings, run, and print a max error against the reference below the bound the README states.
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class WalkthroughTests
    {
        /// <summary>The README's markers around the walkthrough's code block (HTML comments, invisible on a gallery).</summary>
        public const string BeginMarker = "<!-- walkthrough:begin -->";
        public const string EndMarker = "<!-- walkthrough:end -->";

        /// <summary>The accuracy bound the walkthrough's text promises (a few float32 rounding errors for d = 64).</summary>
        private const double MaxError = 1e-5;

        private readonly PackageFixture _package;

        public WalkthroughTests(PackageFixture package)
        {
            _package = package;
        }

        [Fact]
        public void ReadmeWalkthrough_BuildsFromThePackage_AndMatchesTheReference()
        {
            Assert.True(_package.PackOutput.ExitCode == 0, _package.PackOutput.Output);
            string readme = File.ReadAllText(Path.Combine(_package.RepositoryRoot, "README.md"));
            string code = ExtractWalkthrough(readme);
            Assert.True(code.Split('\n').Length < 40, "the README promises a walkthrough in under 40 lines of code");

            string project = _package.CreateConsumer("walkthrough", documented: false);
            File.WriteAllText(Path.Combine(project, "Program.cs"), code);
            // The README's nuget.config as printed, its placeholder folder replaced by this run's feed.
            File.WriteAllText(Path.Combine(project, "nuget.config"), ReadmeNugetConfig(readme).Replace("/home/you/kernelgen-feed", _package.Feed, StringComparison.Ordinal));
            (int build, string buildOutput) = Shell.Run("dotnet", "build -c Release", project, PackageFixture.Timeout);
            Assert.True(build == 0, buildOutput);
            Assert.Contains("0 Warning(s)", buildOutput);

            (int run, string runOutput) = Shell.Run("dotnet", $"\"{Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll")}\"", project, PackageFixture.Timeout);
            Assert.True(run == 0, runOutput);
            Match line = Regex.Match(runOutput, @"max error against the reference: (\S+)");
            Assert.True(line.Success, runOutput);
            double error = double.Parse(line.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.InRange(error, 0, MaxError);
        }

        [Fact]
        public void ExtractWalkthrough_WithoutMarkers_Fails() =>
            Assert.Throws<InvalidOperationException>(() => ExtractWalkthrough("# A README\n```csharp\nConsole.WriteLine();\n```\n"));

        /// <summary>The README's ```xml block that configures a package source (the local feed).</summary>
        private static string ReadmeNugetConfig(string readme)
        {
            Match match = Regex.Match(readme.ReplaceLineEndings("\n"), @"```xml\n(?<config><\?xml.*?<packageSources>.*?)```", RegexOptions.Singleline);
            Assert.True(match.Success, "README.md shows no nuget.config");
            Assert.Contains("/home/you/kernelgen-feed", match.Groups["config"].Value, StringComparison.Ordinal);
            return match.Groups["config"].Value;
        }

        /// <summary>The one ```csharp block between the markers.</summary>
        public static string ExtractWalkthrough(string readme)
        {
            Match match = Regex.Match(
                readme.ReplaceLineEndings("\n"),
                Regex.Escape(BeginMarker) + @"\s*```csharp\n(?<code>.*?)```\s*" + Regex.Escape(EndMarker),
                RegexOptions.Singleline);
            return match.Success
                ? match.Groups["code"].Value
                : throw new InvalidOperationException($"README.md has no ```csharp block between {BeginMarker} and {EndMarker}.");
        }
    }
}
