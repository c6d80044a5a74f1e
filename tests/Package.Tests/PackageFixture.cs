using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// Packs KernelGen once into a local folder feed and lays out a fresh console project that references only that
    /// package, as a user would. Everything lives in a temporary directory removed at the end. Shared by the package
    /// test classes (<see cref="PackageCollection"/>), so the package is packed once per test run.
    /// </summary>
    public sealed class PackageFixture : IDisposable
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

        public PackageFixture()
        {
            RepositoryRoot = FindRepositoryRoot();
            XDocument props = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"));
            Version = props.Descendants("Version").Single().Value;
            RepositoryUrl = props.Descendants("RepositoryUrl").Single().Value;
            WorkDirectory = Directory.CreateTempSubdirectory("kernelgen-package-").FullName;
            Feed = Path.Combine(WorkDirectory, "feed");
            ConsumerDirectory = Path.Combine(WorkDirectory, "consumer");

            PackOutput = Shell.Run("dotnet", $"pack \"{Path.Combine(RepositoryRoot, "src", "Runtime", "KernelGen.Runtime.csproj")}\" -c Release -o \"{Feed}\"", RepositoryRoot, Timeout);
            PackagePath = Path.Combine(Feed, $"KernelGen.{Version}.nupkg");

            File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(CreateConsumer("consumer", documented: true), "Program.cs"));
            EvictCachedPackage();
        }

        public string RepositoryRoot { get; }

        public string Version { get; }

        /// <summary>The one repository address (Directory.Build.props) every link in the package derives from.</summary>
        public string RepositoryUrl { get; }

        public string WorkDirectory { get; }

        public string Feed { get; }

        public string PackagePath { get; }

        public string ConsumerDirectory { get; }

        public (int ExitCode, string Output) PackOutput { get; }

        /// <summary>
        /// Lays out a console project under the work directory that references only the packed package, through a
        /// nuget.config that adds the local feed, and returns its directory; the caller writes its Program.cs.
        /// <paramref name="documented"/> turns on documentation generation (a strict library-like consumer) instead of
        /// the settings of a new console project (implicit usings).
        /// </summary>
        public string CreateConsumer(string name, bool documented)
        {
            string directory = Path.Combine(WorkDirectory, name);
            Directory.CreateDirectory(directory);
            string style = documented
                ? "<GenerateDocumentationFile>true</GenerateDocumentationFile>"
                : "<ImplicitUsings>enable</ImplicitUsings>";
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    {style}
                    <InvariantGlobalization>true</InvariantGlobalization>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="KernelGen" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            // Adds the local feed to the machine's configured sources (NativeAOT's compiler package comes from those).
            File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="kernelgen-local" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            return directory;
        }

        /// <summary>The text of one file inside the packed package, or null when the package has no such entry.</summary>
        public string? ReadPackageEntry(string entryName)
        {
            using ZipArchive archive = ZipFile.OpenRead(PackagePath);
            ZipArchiveEntry? entry = archive.GetEntry(entryName);
            if (entry is null)
            {
                return null;
            }

            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd();
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory is harmless.
            }
        }

        /// <summary>
        /// NuGet caches a package by id and version: drop any earlier KernelGen of this version so the consumer gets the
        /// package just packed.
        /// </summary>
        private void EvictCachedPackage()
        {
            (int exitCode, string output) = Shell.Run("dotnet", "nuget locals global-packages --list", WorkDirectory, Timeout);
            string? folder = exitCode == 0 ? output.Split(':', 2).ElementAtOrDefault(1)?.Trim() : null;
            string cached = Path.Combine(folder ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "kernelgen", Version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }

        private static string FindRepositoryRoot([CallerFilePath] string path = "") =>
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
    }
}
