using System.IO;
using System.Text.RegularExpressions;
using Xunit;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// The README's timing command runs as printed: samples/KernelGen.Timing finds the kernel, times it, and its check
    /// against the reference passes. In the package collection only so that its build of the runtime never overlaps the
    /// fixture's pack of the same project.
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class TimingHarnessTests
    {
        private readonly PackageFixture _package;

        public TimingHarnessTests(PackageFixture package)
        {
            _package = package;
        }

        [Fact]
        public void ReadmeTimingCommand_TimesTheKernel_AndItsCheckPasses()
        {
            string readme = File.ReadAllText(Path.Combine(_package.RepositoryRoot, "README.md"));
            Match command = Regex.Match(readme, @"^dotnet (run -c Release --project samples/KernelGen\.Timing -- .+)$", RegexOptions.Multiline);
            Assert.True(command.Success, "the README shows no timing command");

            (int exitCode, string output) = Shell.Run("dotnet", command.Groups[1].Value.Trim(), _package.RepositoryRoot, PackageFixture.Timeout);
            Assert.True(exitCode == 0, output);
            Assert.Matches(@"time +median \S+ (ms|us) per call over 10 runs", output);
            Assert.Matches(@"speed +[0-9.]+ GFLOP/s", output);
            Assert.Matches(@"path +(Vector512|Vector256|Vector128|scalar)", output);
            Assert.Matches(@"check +max abs error \S+ against ReferenceAttention .*: OK", output);
        }
    }
}
