using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Tests
{
    /// <summary>Compiles user code in memory, runs the generator on it, and compiles the result.</summary>
    internal static class GeneratorHarness
    {
        /// <summary>Doc comments are parsed and checked, as in a project with GenerateDocumentationFile.</summary>
        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

        private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() => LoadReferences(tensors: false));

        /// <summary>The same references plus System.Numerics.Tensors, as in a project that references that package.</summary>
        private static readonly Lazy<ImmutableArray<MetadataReference>> ReferencesWithTensors = new(() => LoadReferences(tensors: true));

        public static CSharpCompilation Compile(params string[] sources) => Compile(tensors: false, sources);

        public static CSharpCompilation Compile(bool tensors, params string[] sources) =>
            CSharpCompilation.Create(
                "UserAssembly",
                sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"User{i}.cs")),
                tensors ? ReferencesWithTensors.Value : References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                    .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                    {
                        ["CS1591"] = ReportDiagnostic.Suppress, // the test sources' own public types carry no docs
                    }));

        public static GeneratorDriver CreateDriver() =>
            CSharpGeneratorDriver.Create(
                new[] { new AttentionKernelGenerator().AsSourceGenerator() },
                parseOptions: ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator once; returns its result and the compilation with the generated sources added.</summary>
        public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources) => Run(tensors: false, sources);

        /// <summary>As <see cref="Run(string[])"/>, optionally in a compilation that references System.Numerics.Tensors.</summary>
        public static (GeneratorRunResult Result, Compilation Output) Run(bool tensors, params string[] sources)
        {
            CSharpCompilation compilation = Compile(tensors, sources);
            GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            return (driver.GetRunResult().Results.Single(), output);
        }

        /// <summary>The output compilation's warnings and errors (the user code is expected to be clean).</summary>
        public static IReadOnlyList<Diagnostic> CompilerProblems(Compilation output) =>
            output.GetDiagnostics().Where(static d => d.Severity >= DiagnosticSeverity.Warning).ToList();

        /// <summary>
        /// The framework's assemblies, the attributes and the runtime; System.Numerics.Tensors (a package, present here
        /// because this test project references it) only when asked for.
        /// </summary>
        private static ImmutableArray<MetadataReference> LoadReferences(bool tensors)
        {
            string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
            var references = platform
                .Where(path =>
                {
                    string name = Path.GetFileName(path);
                    if (name == "System.Numerics.Tensors.dll")
                    {
                        return tensors;
                    }

                    return name.StartsWith("System.", StringComparison.Ordinal) || name is "System.dll" or "netstandard.dll" or "mscorlib.dll";
                })
                .Select(static path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .ToList();
            references.Add(MetadataReference.CreateFromFile(typeof(AttentionKernelAttribute).Assembly.Location));
            references.Add(MetadataReference.CreateFromFile(typeof(ReferenceAttention).Assembly.Location));
            return references.ToImmutableArray();
        }
    }
}
