using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Seeded fuzzing of the generator with mutated declarations: odd attribute arguments, duplicate and misspelt
    /// attributes, wrong signatures, odd containers, and text damage (deleted spans, stray tokens, truncation).
    /// Whatever comes in, the generator never throws, reports only KG diagnostics (never KG0999), never causes a
    /// compiler diagnostic inside its own output, and a declaration it accepts compiles clean.
    /// CI runs <see cref="DefaultCases"/> single-file declarations (set KERNELGEN_FUZZ_CASES and KERNELGEN_FUZZ_SEED for a
    /// long run), and <see cref="DefaultCompilations"/> x <see cref="DeclarationsPerCompilation"/> = 10,000 declarations many
    /// to a compilation (overloads, same names in other types; set KERNELGEN_FUZZ_COMPILATIONS and KERNELGEN_FUZZ_SEED).
    /// </summary>
    public sealed class FuzzTests
    {
        public const int DefaultCases = 400;

        /// <summary>Compilations of the batched fuzzer per CI run, and kernels declared in each: 10,000 declarations.</summary>
        public const int DefaultCompilations = 100;
        public const int DeclarationsPerCompilation = 100;

        private static readonly string[] Ints =
        {
            "int.MinValue", "int.MaxValue", "int.MaxValue - 1", "-1", "0", "1", "2", "3", "7", "16", "31", "64", "100", "128",
            "256", "512", "513", "1024", "65536", "1 << 20", "-0", "0x10", "'a'", "(int)3.9", "1_000",
        };

        private static readonly string[] Floats =
        {
            "0f", "-0f", "1e-30f", "float.NaN", "float.PositiveInfinity", "float.NegativeInfinity", "float.MaxValue", "float.Epsilon",
            "0.125f", "-1f", "1", "2.5", "(float)0.1", "1e39f", "\"a\"", "null",
        };

        private static readonly string[] Signatures =
        {
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)",
            "(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o)",
            "(Span<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)",
            "(float[] query, float[] key, float[] value, float[] output)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int extra)",
            "(ReadOnlySpan<double> query, ReadOnlySpan<double> key, ReadOnlySpan<double> value, Span<double> output)",
            "(in ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, out Span<float> output)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output = default)",
            "(Missing query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)",
            "(ReadOnlySpan<float> @class, ReadOnlySpan<float> @int, ReadOnlySpan<float> HeadDimension, Span<float> Run)",
            "()",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> queryLengths, ReadOnlySpan<int> keyLengths)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<bool> keyMask)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, long batch)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> lengths)",
        };

        private static readonly string[] BatchedSignatures =
        {
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch)",
            "(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o, int items, ReadOnlySpan<int> keyLengths)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> queryLengths)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> sequenceStarts)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> keyLengths, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, Span<float> logSumExp)",
            "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<bool> mask, Span<float> logSumExp, ReadOnlySpan<int> sequenceStarts)",
        };

        private static readonly string[] Heads =
        {
            "public static partial void", "static partial void", "internal static partial void", "private static partial void",
            "public partial void", "public static void", "public static partial int", "public static partial void Generic<T>",
            "public static extern partial void", "public static async partial void", "public static unsafe partial void",
            "public virtual partial void", "public static partial global::System.Void",
        };

        private static readonly string[] Tokens = { "(", ")", "[", "]", "{", "}", ",", ";", "=", "\"", "'", "<", ">", "/*", "//", "#if X", "@", "\n", " ", "partial", "static", "int" };

        private readonly ITestOutputHelper _output;

        public FuzzTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void MutatedDeclarations_NeverBreakTheGenerator()
        {
            int cases = int.TryParse(Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_CASES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) ? c : DefaultCases;
            int seed = int.TryParse(Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 20261123;
            var failures = new List<string>();
            var diagnostics = new SortedDictionary<string, int>(StringComparer.Ordinal);
            int emitted = 0, compiledClean = 0;
            var clock = Stopwatch.StartNew();
            for (int index = 0; index < cases; index++)
            {
                var random = new Random(seed + index);
                string source = Declaration(random);
                string? problem = Check(source, diagnostics, ref emitted, ref compiledClean);
                if (problem is not null)
                {
                    failures.Add($"case {index} (seed {seed + index}): {problem}\n{source}");
                    if (failures.Count >= 5)
                    {
                        break;
                    }
                }
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fuzz: {cases} declarations in {clock.Elapsed.TotalSeconds:F1} s (seed {seed}); {emitted} produced a kernel, {compiledClean} of them compiled clean; " +
                $"diagnostics: {string.Join(", ", diagnostics.Select(static p => $"{p.Key} x{p.Value}"))}"));
            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
            Assert.True(emitted >= cases / 5, $"only {emitted} of {cases} declarations reached the emitter; the fuzzer should keep about a third valid");
        }

        /// <summary>
        /// Many declarations per compilation, so that CI puts at least 10,000 through the generator: each run spreads
        /// <see cref="DeclarationsPerCompilation"/> random kernels (mostly valid, some with a fault) over a few files, same-named
        /// containers in namespaces differing in case, nested and generic types of one name and arities, and a small pool of
        /// method names, so overloads (by element type and run-time parameters), same names in other types, and exact
        /// duplicates all occur. Half the runs reference System.Numerics.Tensors (tensor forms, with override and new).
        /// Whatever comes in: no generator exception or crash diagnostic, only KG diagnostics (never KG0999), no compiler
        /// diagnostic in generated code, no error the input did not already have, and no kernel dropped without a reason.
        /// Set KERNELGEN_FUZZ_SEED to replay a run, KERNELGEN_FUZZ_COMPILATIONS for a longer one.
        /// </summary>
        /// <summary>.ci/run prints the files in KERNELGEN_ISA_DIR at its end, so the seed of every fuzz run is in the CI log.</summary>
        private static void ReportToCi(string line)
        {
            if (Environment.GetEnvironmentVariable("KERNELGEN_ISA_DIR") is { Length: > 0 } folder)
            {
                System.IO.File.AppendAllText(System.IO.Path.Combine(folder, "fuzz-seeds.txt"), line + "\n");
            }
        }

        [Fact]
        public void ManyDeclarationsPerCompilation_AllKernelsGenerateAndCompile()
        {
            int runs = int.TryParse(Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_COMPILATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r : DefaultCompilations;
            int seed = int.TryParse(Environment.GetEnvironmentVariable("KERNELGEN_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 20261207;
            string start = $"fuzz (batched): seed {seed}, {runs} compilations x {DeclarationsPerCompilation} declarations; replay with KERNELGEN_FUZZ_SEED={seed}";
            _output.WriteLine(start);
            Console.WriteLine(start);
            ReportToCi(start);
            var failures = new List<string>();
            var diagnostics = new SortedDictionary<string, int>(StringComparer.Ordinal);
            int declarations = 0, kernels = 0;
            var clock = Stopwatch.StartNew();
            for (int run = 0; run < runs && failures.Count < 5; run++)
            {
                var random = new Random(seed + run);
                string[] files = Compilation(random, out int declared);
                declarations += declared;
                foreach (string problem in CheckMany(files, tensors: run % 2 == 1, diagnostics, ref kernels))
                {
                    failures.Add($"run {run} (KERNELGEN_FUZZ_SEED={seed + run}, first run): {problem}");
                }
            }

            string summary = string.Create(CultureInfo.InvariantCulture,
                $"fuzz (batched): {declarations} declarations in {runs} compilations in {clock.Elapsed.TotalSeconds:F1} s (seed {seed}); {kernels} kernels generated; " +
                $"diagnostics: {string.Join(", ", diagnostics.Select(static p => $"{p.Key} x{p.Value}"))}");
            _output.WriteLine(summary);
            Console.WriteLine(summary);
            ReportToCi(summary);
            Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
            Assert.True(declarations >= runs * DeclarationsPerCompilation, $"only {declarations} declarations");
            Assert.True(kernels >= declarations / 4, $"only {kernels} of {declarations} declarations produced a kernel; the fuzzer should keep most valid");
        }

        /// <summary>Runs the generator on one multi-file compilation; yields what went wrong.</summary>
        private static IEnumerable<string> CheckMany(string[] files, bool tensors, IDictionary<string, int> seen, ref int kernels)
        {
            var problems = new List<string>();
            // Derived from one empty compilation per reference set, so the referenced assemblies' symbols (Vector128 and
            // friends, which every kernel binds) are loaded once, not once per run.
            Compilation compilation = (tensors ? EmptyWithTensors : Empty).Value.AddSyntaxTrees(
                files.Select(static (source, i) => Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: $"User{i}.cs")));
            GeneratorDriver driver = GeneratorHarness.CreateDriver()
                .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            if (result.Exception is not null)
            {
                problems.Add("generator threw " + result.Exception);
            }

            foreach (Diagnostic crash in driverDiagnostics.Where(static d => d.Id is "CS8784" or "CS8785" or "AD0001"))
            {
                problems.Add("driver reported " + crash);
            }

            var userTrees = new HashSet<SyntaxTree>(compilation.SyntaxTrees);
            var kgErrors = new List<Diagnostic>();
            foreach (Diagnostic diagnostic in result.Diagnostics)
            {
                seen[diagnostic.Id] = seen.TryGetValue(diagnostic.Id, out int count) ? count + 1 : 1;
                if (!diagnostic.Id.StartsWith("KG", StringComparison.Ordinal) || diagnostic.Id == "KG0999")
                {
                    problems.Add("unexpected generator diagnostic " + diagnostic);
                }
                else if (diagnostic.Location.SourceTree is not { } tree || !userTrees.Contains(tree))
                {
                    problems.Add("diagnostic outside the user's files " + diagnostic);
                }
                else if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    kgErrors.Add(diagnostic);
                }
            }

            kernels += result.GeneratedSources.Length;
            ImmutableArray<Diagnostic> before = compilation.GetDiagnostics();
            ImmutableArray<Diagnostic> after = output.GetDiagnostics();

            var known = new HashSet<string>(before.Select(Describe), StringComparer.Ordinal);
            foreach (Diagnostic diagnostic in after.Where(static d => d.Severity >= DiagnosticSeverity.Warning))
            {
                if (diagnostic.Location.SourceTree is { } tree && !userTrees.Contains(tree))
                {
                    problems.Add($"compiler diagnostic in generated code: {diagnostic}\n{Excerpt(tree, diagnostic.Location.SourceSpan)}");
                }
                else if (diagnostic.Severity == DiagnosticSeverity.Error && !known.Contains(Describe(diagnostic)))
                {
                    problems.Add($"new compiler error after generation: {diagnostic}\n{Excerpt(diagnostic.Location.SourceTree, diagnostic.Location.SourceSpan)}");
                }
            }

            // A kernel left without its body (CS8795) needs a reason: a KG error or a compiler error of its own declaration.
            foreach (Diagnostic missing in after.Where(static d => d.Id == "CS8795"))
            {
                SyntaxTree tree = missing.Location.SourceTree!;
                if (tree.GetRoot().FindNode(missing.Location.SourceSpan).AncestorsAndSelf().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().FirstOrDefault() is not { } method
                    || !method.AttributeLists.ToString().Contains("AttentionKernel", StringComparison.Ordinal))
                {
                    continue;
                }

                bool explained = kgErrors.Any(d => d.Location.SourceTree == tree && method.FullSpan.IntersectsWith(d.Location.SourceSpan))
                    || before.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795" && d.Location.SourceTree == tree && method.FullSpan.IntersectsWith(d.Location.SourceSpan));
                if (!explained)
                {
                    problems.Add($"a declaration got no kernel and no diagnostic:\n{method}");
                }
            }

            return problems;
        }

        private static readonly Lazy<Compilation> Empty = new(() => GeneratorHarness.Compile(tensors: false));
        private static readonly Lazy<Compilation> EmptyWithTensors = new(() => GeneratorHarness.Compile(tensors: true));

        private static string Describe(Diagnostic diagnostic) =>
            $"{diagnostic.Id}|{diagnostic.Location.SourceTree?.FilePath}|{diagnostic.Location.SourceSpan}";

        private static string Excerpt(SyntaxTree? tree, Microsoft.CodeAnalysis.Text.TextSpan span)
        {
            if (tree is null)
            {
                return string.Empty;
            }

            string text = tree.ToString();
            int from = Math.Max(0, span.Start - 400);
            return text.Substring(from, Math.Min(text.Length, span.End + 200) - from);
        }

        /// <summary>
        /// One compilation's files: a few namespaces (two differ only in case) with the same containers, each kernel in a
        /// random container, with a name from a small pool and random element types and run-time parameters.
        /// </summary>
        private static string[] Compilation(Random random, out int declared)
        {
            string[] namespaces = { "Fz", "fz", "Fz.Deep" };
            var members = new Dictionary<(string Namespace, int Container), List<string>>();
            for (declared = 0; declared < DeclarationsPerCompilation; declared++)
            {
                string ns = Pick(random, namespaces);
                int container = random.Next(Containers.Length);
                if (!members.TryGetValue((ns, container), out List<string>? list))
                {
                    members.Add((ns, container), list = new List<string>());
                }

                list.Add(Member(random, Containers[container].Static, Containers[container].Derived));
            }

            var files = new List<string>();
            foreach (string ns in namespaces)
            {
                files.Add($"using System;\nnamespace {ns};\npublic abstract class Base\n{{\n    public abstract void A{BaseSignature};\n    public virtual void V{BaseSignature} {{ }}\n    public void B{BaseSignature} {{ }}\n}}\n");
            }

            // Each container's kernels, split over one to three files (partial declarations in several trees).
            foreach (KeyValuePair<(string Namespace, int Container), List<string>> pair in members.OrderBy(static p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(static p => p.Key.Container))
            {
                (string open, string close, _, _) = Containers[pair.Key.Container];
                int parts = Math.Min(pair.Value.Count, random.Next(1, 4));
                for (int part = 0; part < parts; part++)
                {
                    var body = new StringBuilder();
                    for (int i = part; i < pair.Value.Count; i += parts)
                    {
                        body.Append(pair.Value[i]).Append("\n\n");
                    }

                    files.Add($"using System;\nusing KernelGen;\nnamespace {pair.Key.Namespace};\n{open}\n{body}{close}\n");
                }
            }

            // Derived must implement Base.A: when no kernel overrides it, a plain override does.
            bool[] overridden = namespaces.Select(ns => members.TryGetValue((ns, DerivedContainer), out List<string>? list) && list.Any(static m => m.Contains(" override partial void A(", StringComparison.Ordinal))).ToArray();
            for (int i = 0; i < namespaces.Length; i++)
            {
                files.Add($"using System;\nnamespace {namespaces[i]};\npublic partial class Derived : Base\n{{\n{(overridden[i] ? string.Empty : "    public override void A" + BaseSignature + " { }\n")}}}\n");
            }

            return files.ToArray();
        }

        private const string BaseSignature = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch)";

        private const int DerivedContainer = 7;

        /// <summary>Containers (opening, closing, whether only static kernels fit, whether it derives from Base), by index.</summary>
        private static readonly (string Open, string Close, bool Static, bool Derived)[] Containers =
        {
            ("public static partial class Kernels\n{", "}", true, false),
            ("public partial class Outer<T>\n{\n    public partial class Inner\n    {", "    }\n}", false, false),
            ("public partial class Outer\n{\n    public partial class Inner\n    {", "    }\n}", false, false),
            ("public partial class Outer<T, U> where T : struct\n{", "}", false, false),
            ("public partial class Outer<T>\n{", "}", false, false),
            ("public partial record Holder\n{", "}", false, false),
            ("public ref partial struct RefHolder\n{", "}", false, false),
            ("public partial class Derived : Base\n{", "}", false, true),
            ("internal partial struct Value\n{\n    internal partial interface IInner\n    {", "    }\n}", true, false),
        };

        /// <summary>
        /// One kernel member: random valid spec, element types, run-time parameters and modifiers, named from a small pool
        /// (so overloads and same names in other types are common); about a quarter get one fault of the single-file fuzzer.
        /// </summary>
        private static string Member(Random random, bool onlyStatic, bool derived)
        {
            int d = random.Next(5) == 0 ? Pick(random, 1, 3, 100, 256, 512) : random.Next(1, 161);
            bool causal = random.Next(2) == 0;
            bool window = random.Next(3) != 0;
            bool batched = random.Next(2) == 0;
            var attributes = new List<string>();
            string kernel = $"[AttentionKernel({d}" + (random.Next(3) == 0 ? $", Scale = 0.{random.Next(1, 999)}f" : string.Empty);
            if (batched)
            {
                int heads = Pick(random, 1, 2, 4, 8, 12);
                int[] divisors = Enumerable.Range(1, heads).Where(g => heads % g == 0).ToArray();
                kernel += $", Heads = {heads}" + (random.Next(2) == 0 ? $", KeyValueHeads = {Pick(random, divisors)}" : string.Empty);
            }

            attributes.Add(kernel + ")]");
            if (causal)
            {
                attributes.Add("[CausalMask]");
            }

            if (window)
            {
                attributes.Add($"[SlidingWindow({random.Next(0, 300)}, {(causal ? 0 : random.Next(0, 300))})]");
                if (random.Next(2) == 0)
                {
                    attributes.Add("[GlobalTokens(" + string.Join(", ", Enumerable.Range(0, random.Next(1, 6)).Select(i => i * 3 + random.Next(3))) + ")]");
                }
            }

            string query = Pick(random, ElementTypes), keyValue = Pick(random, ElementTypes), output = Pick(random, ElementTypes);
            string signature = $"(ReadOnlySpan<{query}> query, ReadOnlySpan<{keyValue}> key, ReadOnlySpan<{keyValue}> value, Span<{output}> output";
            if (batched)
            {
                string batchedSignature = Pick(random, BatchedSignatures);
                signature += batchedSignature.Substring(batchedSignature.IndexOf(", int ", StringComparison.Ordinal));
            }
            else
            {
                signature += random.Next(4) == 0 ? ", float scale)" : ")";
            }

            string name = Pick(random, "A", "a", "Attend", "B", "@float", "ÄttendΩ");
            string head = onlyStatic ? Pick(random, "public static partial void", "internal static partial void", "static partial void")
                : Pick(random, "public static partial void", "private static partial void", "public partial void", "internal partial void", "protected internal partial void");
            if (derived && random.Next(3) == 0)
            {
                // The base's members by their signature: override an abstract or virtual one, or hide one with new.
                (head, name) = Pick(random, ("public override partial void", "A"), ("public sealed override partial void", "A"), ("public override partial void", "V"), ("public new partial void", "B"));
                signature = BaseSignature;
                attributes[0] = $"[AttentionKernel({d}, Heads = 2)]";
            }

            if (random.Next(4) == 0)
            {
                switch (random.Next(5))
                {
                    case 0:
                        attributes[0] = KernelAttribute(random);
                        break;
                    case 1:
                        attributes.Add(Pick(random, "[CausalMask(1)]", "[SlidingWindow(" + SlidingArguments(random) + ")]", "[GlobalTokens(" + GlobalArguments(random) + ")]", "[Obsolete]", "[Nonexistent(1)]"));
                        break;
                    case 2:
                        attributes.Insert(random.Next(attributes.Count + 1), attributes[random.Next(attributes.Count)]);
                        break;
                    case 3:
                        signature = Pick(random, Signatures).TrimEnd(')') + ")";
                        break;
                    default:
                        head = Pick(random, Heads);
                        break;
                }
            }

            return "    " + string.Join("\n    ", attributes.OrderBy(_ => random.Next())) + "\n    " + head + " " + name + signature + ";";
        }

        private static readonly string[] ElementTypes = { "float", "float", "Half", "BFloat16" };

        /// <summary>Runs the generator on one source; returns what went wrong, or null.</summary>
        private static string? Check(string source, IDictionary<string, int> seen, ref int emitted, ref int compiledClean)
        {
            Compilation compilation = GeneratorHarness.Compile(source);
            GeneratorDriver driver = GeneratorHarness.CreateDriver()
                .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            if (result.Exception is not null)
            {
                return "generator threw " + result.Exception;
            }

            if (driverDiagnostics.FirstOrDefault(static d => d.Id is "CS8785" or "AD0001") is { } crash)
            {
                return "driver reported " + crash;
            }

            foreach (Diagnostic diagnostic in result.Diagnostics)
            {
                seen[diagnostic.Id] = seen.TryGetValue(diagnostic.Id, out int count) ? count + 1 : 1;
                if (!diagnostic.Id.StartsWith("KG", StringComparison.Ordinal) || diagnostic.Id == "KG0999")
                {
                    return "unexpected generator diagnostic " + diagnostic;
                }

                if (diagnostic.Location.IsInSource && diagnostic.Location.SourceTree?.FilePath != "User0.cs")
                {
                    return "diagnostic outside the user's file " + diagnostic;
                }
            }

            bool userCodeClean = !compilation.GetDiagnostics().Any(static d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795");
            bool specAccepted = !result.Diagnostics.Any(static d => d.Severity == DiagnosticSeverity.Error);
            if (result.GeneratedSources.Length == 0)
            {
                // A declaration with no compiler error of its own and no KG error must get its kernel: nothing may be
                // dropped silently. (Without [AttentionKernel] on a method there is nothing to generate.)
                bool declaresKernel = source.Contains("[AttentionKernel(", StringComparison.Ordinal) && source.Contains("partial void", StringComparison.Ordinal);
                return userCodeClean && specAccepted && declaresKernel && compilation.GetDiagnostics().Any(static d => d.Id == "CS8795")
                    ? "a clean declaration produced no kernel and no diagnostic"
                    : null;
            }

            emitted++;
            var generatedTrees = new HashSet<SyntaxTree>(output.SyntaxTrees.Except(compilation.SyntaxTrees));
            ImmutableArray<Diagnostic> compiled = output.GetDiagnostics();
            if (compiled.FirstOrDefault(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree)) is { } inGenerated)
            {
                return "compiler diagnostic in generated code: " + inGenerated;
            }

            if (userCodeClean && specAccepted)
            {
                if (compiled.FirstOrDefault(static d => d.Severity == DiagnosticSeverity.Error) is { } error)
                {
                    return "an accepted spec does not compile: " + error;
                }

                compiledClean++;
            }

            return null;
        }

        /// <summary>
        /// A whole source file: a valid kernel declaration (random valid spec, signature, modifiers and container) with
        /// 0, 1 or more of its parts swapped for a wrong variant, so about a third of the cases reach the emitter.
        /// </summary>
        private static string Declaration(Random random)
        {
            int d = random.Next(5) == 0 ? Pick(random, 1, 3, 100, 256, 512) : random.Next(1, 161);
            bool causal = random.Next(2) == 0;
            bool window = random.Next(3) != 0;
            bool batched = random.Next(3) == 0;
            string batchArguments = string.Empty;
            if (batched)
            {
                int heads = Pick(random, 1, 2, 4, 8, 12, 32);
                int[] divisors = Enumerable.Range(1, heads).Where(g => heads % g == 0).ToArray();
                batchArguments = $", Heads = {heads}" + (random.Next(2) == 0 ? $", KeyValueHeads = {Pick(random, divisors)}" : string.Empty) +
                    (random.Next(2) == 0 ? ", Layout = AttentionLayout." + Pick(random, "BatchSeqHeadDim", "BatchHeadSeqDim") : string.Empty);
            }

            var attributes = new List<string>
            {
                random.Next(3) == 0 ? $"[AttentionKernel({d}, Scale = 0.{random.Next(1, 999)}f{batchArguments})]" : $"[AttentionKernel({d}{batchArguments})]",
            };
            if (causal)
            {
                attributes.Add("[CausalMask]");
            }

            if (window)
            {
                attributes.Add($"[SlidingWindow({random.Next(0, 300)}, {(causal ? 0 : random.Next(0, 300))})]");
                if (random.Next(2) == 0)
                {
                    attributes.Add("[GlobalTokens(" + string.Join(", ", Enumerable.Range(0, random.Next(1, 6)).Select(i => i * 3 + random.Next(3))) + ")]");
                }
            }

            string signature = batched ? Pick(random, BatchedSignatures) : Signatures[random.Next(2)];
            string head = Pick(random, "public static partial void", "static partial void", "internal static partial void", "private static partial void", "public partial void");
            string name = Pick(random, "Attend", "A", "@float", "Run", "Kernel", "Attend_1", "ÄttendΩ");
            int container = random.Next(12);

            int faults = random.Next(10) switch { < 4 => 0, < 8 => 1, _ => random.Next(2, 5) };
            bool damage = false;
            for (int f = 0; f < faults; f++)
            {
                switch (random.Next(7))
                {
                    case 0:
                        attributes[0] = KernelAttribute(random);
                        break;
                    case 1:
                        attributes.Add(random.Next(4) switch
                        {
                            0 => "[CausalMask" + Pick(random, "()", "(1)", "(true)") + "]",
                            1 => "[SlidingWindow(" + SlidingArguments(random) + ")]",
                            2 => "[GlobalTokens(" + GlobalArguments(random) + ")]",
                            _ => Pick(random, "[Obsolete]", "[KernelGen.CausalMask]", "[global::KernelGen.SlidingWindow(4)]", "[CausalMaskAttribute]", "[Nonexistent(1)]", "[return: CausalMask]", KernelAttribute(random)),
                        });
                        break;
                    case 2:
                        attributes.Insert(random.Next(attributes.Count + 1), attributes[random.Next(attributes.Count)]);
                        break;
                    case 3:
                        signature = Pick(random, Signatures);
                        break;
                    case 4:
                        head = Pick(random, Heads);
                        break;
                    case 5:
                        container = random.Next(100);
                        break;
                    default:
                        damage = true;
                        break;
                }
            }

            string body = string.Join("\n", attributes.OrderBy(_ => random.Next())) + "\n" + head + " " + name + signature + ";";
            string usings = random.Next(20) == 0 ? "using KernelGen;\n" : "using System;\nusing KernelGen;\n";
            string source = usings + container switch
            {
                0 => "namespace App;\npublic static partial class Kernels\n{\n" + body + "\n}\n",
                1 => "namespace App\n{\n    public partial class Outer<T> where T : struct\n    {\n        internal partial struct Inner<U>\n        {\n" + body + "\n        }\n    }\n}\n",
                2 => "namespace App;\npublic partial record Holder(int X)\n{\n" + body + "\n}\n",
                3 => "namespace App;\npublic partial record struct Holder(int X)\n{\n" + body + "\n}\n",
                4 => "public static partial class GlobalKernels\n{\n" + body + "\n}\n",
                5 => "namespace App;\npublic ref partial struct Holder\n{\n" + body + "\n}\n",
                6 => "namespace App.Deep\n{\n    public static partial class Kernels\n    {\n" + body + "\n    }\n}\n",
                7 => "namespace App;\npublic partial interface IKernels\n{\n" + body + "\n}\n",
                8 => "System.Console.WriteLine();\n" + body + "\n",
                9 => "namespace App;\npublic static class NotPartial\n{\n" + body + "\n}\n",
                10 => "namespace App;\npublic static partial class Host\n{\n    public static void M()\n    {\n" + body.Replace("public ", "") + "\n    }\n}\n",
                11 => "namespace App;\nfile static partial class Hidden\n{\n" + body + "\n}\n",
                _ => "namespace App;\npublic partial class Kernels\n{\n" + body + "\n}\n",
            };
            return damage ? Mutate(random, source) : source;
        }

        private static string KernelAttribute(Random random) => "[AttentionKernel" + random.Next(14) switch
        {
            0 => "",
            1 => "()",
            2 => "(\"x\")",
            3 => "(" + Pick(random, Ints) + ", Scale = " + Pick(random, Floats) + ")",
            4 => "(" + Pick(random, Ints) + ", Nope = 3)",
            5 => "(HeadDimension: " + Pick(random, Ints) + ")",
            10 => "(" + Pick(random, Ints) + ", Heads = " + Pick(random, Ints) + ", KeyValueHeads = " + Pick(random, Ints) + ")",
            11 => "(" + Pick(random, Ints) + ", Layout = (AttentionLayout)" + Pick(random, Ints) + ")",
            6 => "(" + Pick(random, Ints) + ", " + Pick(random, Ints) + ")",
            7 => "(null)",
            8 => "(typeof(int))",
            _ => "(" + Pick(random, Ints) + ")",
        } + "]";

        private static string SlidingArguments(Random random) => random.Next(7) switch
        {
            0 => "",
            1 => Pick(random, Ints) + ", " + Pick(random, Ints) + ", " + Pick(random, Ints),
            2 => "\"a\"",
            3 => "left: " + Pick(random, Ints) + ", right: " + Pick(random, Ints),
            4 => Pick(random, Ints),
            _ => Pick(random, Ints) + ", " + Pick(random, Ints),
        };

        private static string GlobalArguments(Random random)
        {
            switch (random.Next(8))
            {
                case 0: return "";
                case 1: return "null";
                case 2: return "\"a\"";
                case 3: return "new int[] { " + string.Join(", ", Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(random, Ints))) + " }";
                case 4: return string.Join(", ", Enumerable.Range(0, random.Next(500, 3000)).Select(i => (i * 7).ToString(CultureInfo.InvariantCulture)));
                case 5: return "new[] { 1, 2 }";
                default: return string.Join(", ", Enumerable.Range(0, random.Next(1, 6)).Select(_ => Pick(random, Ints)));
            }
        }

        /// <summary>Text damage: spans deleted, stray tokens inserted, a slice repeated, or the tail cut off.</summary>
        private static string Mutate(Random random, string source)
        {
            var text = new StringBuilder(source);
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations && text.Length > 0; m++)
            {
                int at = random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0:
                        text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
                        break;
                    case 1:
                        text.Insert(at, Pick(random, Tokens));
                        break;
                    case 2:
                        int length = Math.Min(random.Next(1, 40), text.Length - at);
                        text.Insert(at, text.ToString(at, length));
                        break;
                    default:
                        text.Length = at;
                        break;
                }
            }

            return text.ToString();
        }

        private static T Pick<T>(Random random, params T[] options) => options[random.Next(options.Length)];
    }
}
