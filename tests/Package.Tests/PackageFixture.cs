using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// Packs KernelGen once into a local folder feed and lays out a fresh console project that references only that
    /// package, as a user would. Everything lives in a temporary directory removed at the end.
    /// </summary>
    public sealed class PackageFixture : IDisposable
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

        public PackageFixture()
        {
            RepositoryRoot = FindRepositoryRoot();
            Version = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props")).Descendants("Version").Single().Value;
            WorkDirectory = Directory.CreateTempSubdirectory("kernelgen-package-").FullName;
            Feed = Path.Combine(WorkDirectory, "feed");
            ConsumerDirectory = Path.Combine(WorkDirectory, "consumer");

            PackOutput = Shell.Run("dotnet", $"pack \"{Path.Combine(RepositoryRoot, "src", "Runtime", "KernelGen.Runtime.csproj")}\" -c Release -o \"{Feed}\"", RepositoryRoot, Timeout);
            PackagePath = Path.Combine(Feed, $"KernelGen.{Version}.nupkg");

            Directory.CreateDirectory(ConsumerDirectory);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(ConsumerDirectory, "Program.cs"));
            File.WriteAllText(Path.Combine(ConsumerDirectory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <GenerateDocumentationFile>true</GenerateDocumentationFile>
                    <InvariantGlobalization>true</InvariantGlobalization>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="KernelGen" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            // Adds the local feed to the machine's configured sources (NativeAOT's compiler package comes from those).
            File.WriteAllText(Path.Combine(ConsumerDirectory, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="kernelgen-local" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            EvictCachedPackage();
        }

        public string RepositoryRoot { get; }

        public string Version { get; }

        public string WorkDirectory { get; }

        public string Feed { get; }

        public string PackagePath { get; }

        public string ConsumerDirectory { get; }

        public (int ExitCode, string Output) PackOutput { get; }

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
