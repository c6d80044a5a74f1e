using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Code as it looks while being typed, and declarations in odd places: the generator must never throw and must only
    /// ever add KG diagnostics; valid edge specs must produce code that compiles clean. Output is deterministic.
    /// </summary>
    public sealed class RobustnessTests
    {
        private const string Signature = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)";

        public static TheoryData<string> BrokenSources() => new()
        {
            DiagnosticTests.Wrap("[AttentionKernel(\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(\"x\")]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64, Scale = \"a\")]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64, Nope = 3)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        public static partial void A(ReadOnlySpan<float> q, "),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        public static partial void A(Missing q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o);"),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        [SlidingWindow(1, 2, 3)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        [SlidingWindow(2)]\n        [GlobalTokens(new int[] { 1, -1 })]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        [SlidingWindow(2)]\n        [GlobalTokens(null)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        [SlidingWindow(2)]\n        [GlobalTokens(\"a\")]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(64)]\n        [AttentionKernel(32)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(int.MinValue, Scale = float.MinValue)]\n        [SlidingWindow(int.MinValue, int.MinValue)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("public static void Outer()\n        {\n            [AttentionKernel(4)]\n            static partial void Local" + Signature + ";\n        }"),
            DiagnosticTests.Wrap("[AttentionKernel(4)]\n        public static partial void A" + Signature),
            DiagnosticTests.Wrap("[AttentionKernel(4)]\n        public static partial void" + Signature + ";"),
            "using System;\nusing KernelGen;\n[AttentionKernel(4)]\nstatic partial void TopLevel" + Signature + ";\n",
            "using System;\nusing KernelGen;\nnamespace App;\npublic partial interface IKernels\n{\n    [AttentionKernel(4)]\n    static partial void A" + Signature + ";\n}\n",
            "using System;\nusing KernelGen;\nnamespace App;\npublic partial class Outer<T> where T : class\n{\n    public partial record Inner\n    {\n        [AttentionKernel(4)]\n        [CausalMask]\n        public partial void A" + Signature + ";\n    }\n}\n",
            "using System;\nusing KernelGen;\nnamespace App;\npublic partial class C\n{\n    [AttentionKernel(4)]\n    public static partial void A(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output",
            DiagnosticTests.Wrap("[AttentionKernel(4)]\n        public static partial void A(ReadOnlySpan<float> , ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o);"),
            "using KernelGen;\nnamespace App;\npublic partial class C\n{\n    [AttentionKernel(4)]\n    public static partial void A(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n}\n",
        };

        public static TheoryData<string> ValidEdgeSpecs() => new()
        {
            DiagnosticTests.Wrap("[AttentionKernel(512)]\n        [SlidingWindow(int.MaxValue, int.MaxValue)]\n        [GlobalTokens(int.MaxValue, 0)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(1, Scale = 1e-30f)]\n        [CausalMask]\n        [SlidingWindow(0, 0)]\n        public static partial void A" + Signature + ";"),
            DiagnosticTests.Wrap("[AttentionKernel(7, Scale = 3.4e38f)]\n        [SlidingWindow(0)]\n        [GlobalTokens(" + string.Join(", ", Enumerable.Range(0, 300)) + ")]\n        public static partial void A" + Signature + ";"),
            "using System;\nusing KernelGen;\nnamespace App;\npublic ref partial struct Holder\n{\n    [AttentionKernel(8)]\n    public static partial void A" + Signature + ";\n}\n",
            "using System;\nusing KernelGen;\nnamespace App;\npublic static partial class Extensions\n{\n    [AttentionKernel(8)]\n    [CausalMask]\n    public static partial void Attend(this ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n    public static void Use(float[] q, float[] o) => ((ReadOnlySpan<float>)q).Attend(q, q, o);\n}\n",
            DiagnosticTests.Wrap("[AttentionKernel(8)]\n        public static partial void A(ReadOnlySpan<float> queryCount, ReadOnlySpan<float> keyCount, ReadOnlySpan<float> queryName, Span<float> HeadDimension);"),
            "using System;\nusing KernelGen;\nnamespace @class.@int;\npublic partial class @void\n{\n    [AttentionKernel(8)]\n    public static partial void @float" + Signature + ";\n}\n",
            "using System;\nusing KernelGen;\nnamespace App.Deep.Er;\npublic partial class Outer<TKey, TValue>\n{\n    internal partial struct Mid\n    {\n        private partial record class Inner\n        {\n            [AttentionKernel(33)]\n            [CausalMask]\n            private partial void A(ReadOnlySpan<float> @class, ReadOnlySpan<float> @int, ReadOnlySpan<float> @float, Span<float> @void);\n        }\n    }\n}\n",
        };

        [Theory]
        [MemberData(nameof(BrokenSources))]
        public void BrokenCode_NeverThrows_AndOnlyAddsKgDiagnostics(string source)
        {
            Compilation compilation = GeneratorHarness.Compile(source);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> driverDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();

            Assert.Null(result.Exception);
            Assert.DoesNotContain(driverDiagnostics, static d => d.Id is "CS8785" or "AD0001");
            Assert.All(result.Diagnostics, static d => Assert.StartsWith("KG", d.Id));
            Assert.DoesNotContain(result.Diagnostics, static d => d.Id == "KG0999");
        }

        [Theory]
        [MemberData(nameof(ValidEdgeSpecs))]
        public void ValidEdgeSpec_GeneratesCodeThatCompilesClean(string source)
        {
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Assert.Empty(result.Diagnostics);
            Assert.Single(result.GeneratedSources);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void KernelsWhoseDottedNamesLookAlike_GetDistinctFiles()
        {
            // Nested class B.C versus class B_C style names; class Outer<T> versus class Outer_1.
            string source = "using System;\nusing KernelGen;\n" +
                "namespace A { public partial class B { [AttentionKernel(4)] public static partial void M" + Signature + "; } }\n" +
                "namespace A { public partial class B { public partial class C { [AttentionKernel(4)] public static partial void M" + Signature + "; } } }\n" +
                "namespace A { public partial class Outer<T> { [AttentionKernel(4)] public static partial void M" + Signature + "; } }\n" +
                "namespace A { public partial class Outer_1 { [AttentionKernel(4)] public static partial void M" + Signature + "; } }\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Assert.Empty(result.Diagnostics);
            Assert.Equal(
                new[] { "A.B+C.M.g.cs", "A.B.M.g.cs", "A.Outer_1.M.g.cs", "A.Outer`1.M.g.cs" },
                result.GeneratedSources.Select(static s => s.HintName).OrderBy(static n => n, System.StringComparer.Ordinal));
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void KernelsDifferingOnlyInCase_GetDistinctStableFiles()
        {
            string source = DiagnosticTests.Wrap(
                "[AttentionKernel(4)]\n        public static partial void Attend" + Signature + ";\n" +
                "        [AttentionKernel(4)]\n        public static partial void attend" + Signature + ";");
            Compilation compilation = GeneratorHarness.Compile(source);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out ImmutableArray<Diagnostic> driverDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            Assert.Null(result.Exception);
            Assert.DoesNotContain(driverDiagnostics, static d => d.Id == "CS8785");
            Assert.Empty(result.Diagnostics);
            string[] names = result.GeneratedSources.Select(static s => s.HintName).OrderBy(static n => n, System.StringComparer.Ordinal).ToArray();
            Assert.Equal(2, names.Length);
            Assert.Matches(@"^App\.Kernels\.Attend\.[0-9a-f]{8}\.g\.cs$", names[0]);
            Assert.Matches(@"^App\.Kernels\.attend\.[0-9a-f]{8}\.g\.cs$", names[1]);
        }

        [Theory]
        [InlineData("tr-TR")]
        [InlineData("de-DE")]
        [InlineData("ar-SA")]
        [InlineData("fr-FR")]
        public void Output_IsIdenticalUnderAnyCulture(string culture)
        {
            string source = SnapshotTests.Kernel("[AttentionKernel(100, Scale = 0.1f)]\n    [SlidingWindow(3, 7)]\n    [GlobalTokens(1000, 2, 1)]");
            string invariant = Generate(source, CultureInfo.InvariantCulture);
            Assert.Equal(invariant, Generate(source, CultureInfo.GetCultureInfo(culture)));
            Assert.Contains("0.1f", invariant);
        }

        [Fact]
        public void CultureTests_RunWithRealCultureData()
        {
            // Under invariant globalization every culture behaves like the invariant one and the test above proves nothing.
            Assert.False(AppContext.TryGetSwitch("System.Globalization.Invariant", out bool invariant) && invariant, "globalization is invariant");
            Assert.Equal("\u0130", "i".ToUpper(CultureInfo.GetCultureInfo("tr-TR")));
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.GetCultureInfo("de-DE")));
        }

        [Fact]
        public void Output_IsIdenticalAcrossFreshRuns()
        {
            string source = SnapshotTests.Kernel("[AttentionKernel(80)]\n    [CausalMask]\n    [SlidingWindow(70, 0)]\n    [GlobalTokens(0, 1, 63)]");
            string[] runs = Enumerable.Range(0, 3).Select(_ => Generate(source, CultureInfo.InvariantCulture)).ToArray();
            Assert.All(runs, run => Assert.Equal(runs[0], run));
        }

        [Fact]
        public void Output_IsIdenticalForAnyAttributeOrder()
        {
            string[] attributes = { "[AttentionKernel(64)]", "[CausalMask]", "[SlidingWindow(8, 0)]", "[GlobalTokens(9, 0)]" };
            string expected = Generate(SnapshotTests.Kernel(string.Join("\n    ", attributes)), CultureInfo.InvariantCulture);
            string reversed = Generate(SnapshotTests.Kernel(string.Join("\n    ", attributes.Reverse())), CultureInfo.InvariantCulture);
            string shuffled = Generate(SnapshotTests.Kernel("[GlobalTokens(0, 9)]\n    [CausalMask]\n    [AttentionKernel(64)]\n    [SlidingWindow(8, 0)]"), CultureInfo.InvariantCulture);
            Assert.Equal(expected, reversed);
            Assert.Equal(expected, shuffled);
        }

        private static string Generate(string source, CultureInfo culture)
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            CultureInfo savedUi = CultureInfo.CurrentUICulture;
            try
            {
                CultureInfo.CurrentCulture = culture;
                CultureInfo.CurrentUICulture = culture;
                return GeneratorHarness.Run(source).Result.GeneratedSources.Single().SourceText.ToString();
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
                CultureInfo.CurrentUICulture = savedUi;
            }
        }
    }
}
