using System;
using System.Collections.Immutable;
using System.Linq;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Hint names are unique for any set of declarations (overloads, same names in other nested or generic types,
    /// namespaces that differ only in case, very long names), readable when nothing collides, and the same on every run:
    /// one clash must never cost the whole project its kernels (CS8785).
    /// </summary>
    public sealed class HintNameTests
    {
        private const string Spans = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)";
        private const string HalfSpans = "(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output)";
        private const string Batched = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch)";
        private const string BatchedLengths = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> keyLengths)";

        [Fact]
        public void Overloads_ByElementType_BothGenerateAndCompile()
        {
            string source = DiagnosticTests.Wrap(
                "[AttentionKernel(8)]\n        public static partial void A" + Spans + ";\n" +
                "        [AttentionKernel(8)]\n        public static partial void A" + HalfSpans + ";");
            string[] names = AssertAllGeneratedAndClean(source, tensors: false, kernels: 2);
            Assert.All(names, static name => Assert.Matches(@"^App\.Kernels\.A\.[0-9a-f]{8}\.g\.cs$", name));
        }

        [Fact]
        public void Overloads_ByRuntimeParameters_WithTensorForms_BothGenerateAndCompile()
        {
            string source = DiagnosticTests.Wrap(
                "[AttentionKernel(8, Heads = 2)]\n        public static partial void A" + Batched + ";\n" +
                "        [AttentionKernel(8, Heads = 2)]\n        public static partial void A" + BatchedLengths + ";\n" +
                "        [AttentionKernel(8)]\n        public static partial void A" + Spans + ";");
            AssertAllGeneratedAndClean(source, tensors: true, kernels: 3);
        }

        [Fact]
        public void SameNames_InNestedAndGenericTypes_AllGenerateAndCompile()
        {
            string Kernel(string name) => "[AttentionKernel(4)] public static partial void " + name + Spans + ";";
            string source = "using System;\nusing KernelGen;\n" +
                "namespace N { public partial class Outer<T> { public partial class Inner { " + Kernel("M") + " } } }\n" +
                "namespace N { public partial class Outer { public partial class Inner { " + Kernel("M") + " } } }\n" +
                "namespace N { public partial class Outer<T, U> { " + Kernel("M") + " } }\n" +
                "namespace N { public partial class Outer<T> { " + Kernel("M") + " } }\n" +
                "namespace N { public partial class Outer { " + Kernel("M") + " " + Kernel("m") + " } }\n" +
                "namespace N.Outer2 { public partial class Inner { " + Kernel("M") + " } }\n" +
                "namespace N { public partial class Outer3 { public partial class Inner { " + Kernel("M") + " } } }\n";
            AssertAllGeneratedAndClean(source, tensors: false, kernels: 8);
        }

        [Fact]
        public void Namespaces_DifferingOnlyInCase_BothGenerateAndCompile()
        {
            string source = "using System;\nusing KernelGen;\n" +
                "namespace App.Kernels { public static partial class K { [AttentionKernel(4)] public static partial void M" + Spans + "; } }\n" +
                "namespace app.kernels { public static partial class K { [AttentionKernel(4)] public static partial void M" + Spans + "; } }\n";
            AssertAllGeneratedAndClean(source, tensors: false, kernels: 2);
        }

        [Fact]
        public void VeryLongNames_GetShortStableDistinctHintNames()
        {
            string longName = "Kernel" + new string('x', 480);
            string longNamespace = string.Join(".", Enumerable.Range(0, 40).Select(static i => "Segment" + i));
            string source = "using System;\nusing KernelGen;\n" +
                $"namespace {longNamespace} {{ public static partial class K {{ [AttentionKernel(4)] public static partial void {longName}{Spans}; }} }}\n" +
                $"namespace {longNamespace} {{ public static partial class K {{ [AttentionKernel(4)] public static partial void {longName}y{Spans}; }} }}\n" +
                $"namespace {longNamespace} {{ public static partial class K {{ [AttentionKernel(4)] public static partial void {longName}{HalfSpans}; }} }}\n";
            string[] names = AssertAllGeneratedAndClean(source, tensors: false, kernels: 3);
            Assert.All(names, static name => Assert.InRange(name.Length, 1, 160));
            Assert.Equal(names, AssertAllGeneratedAndClean(source, tensors: false, kernels: 3));
        }

        [Fact]
        public void UnicodeEscapedIdentifiers_GetValidHintNames()
        {
            string source = "using System;\nusing KernelGen;\n" +
                "namespace \\u0041pp { public static partial class K\\u00c4 { [AttentionKernel(4)] public static partial void \\u0041ttend" + Spans + "; } }\n";
            string name = Assert.Single(AssertAllGeneratedAndClean(source, tensors: false, kernels: 1));
            Assert.DoesNotContain("\\", name);
        }

        [Fact]
        public void HintNames_WithoutCollision_StayReadable()
        {
            string source = DiagnosticTests.Wrap(
                "[AttentionKernel(8)]\n        public static partial void A" + Spans + ";\n" +
                "        [AttentionKernel(8)]\n        public static partial void B" + HalfSpans + ";");
            Assert.Equal(new[] { "App.Kernels.A.g.cs", "App.Kernels.B.g.cs" }, AssertAllGeneratedAndClean(source, tensors: false, kernels: 2));
        }

        [Fact]
        public void Overloads_HintNames_DoNotDependOnDeclarationOrder()
        {
            string first = "[AttentionKernel(8)]\n        public static partial void A" + Spans + ";";
            string second = "[AttentionKernel(8)]\n        public static partial void A" + HalfSpans + ";";
            string[] forward = AssertAllGeneratedAndClean(DiagnosticTests.Wrap(first + "\n        " + second), tensors: false, kernels: 2);
            string[] backward = AssertAllGeneratedAndClean(DiagnosticTests.Wrap(second + "\n        " + first), tensors: false, kernels: 2);
            Assert.Equal(forward, backward);
        }

        [Fact]
        public void AssignHintNames_EqualHashes_StillDistinct()
        {
            // "K47199" and "K1168204" have the same 32-bit FNV-1a hash (d304b818).
            var assigned = KernelPlanner.AssignHintNames(new[] { new HintNameEntry("K1168204", "A.B.g.cs"), new HintNameEntry("K47199", "a.b.g.cs") });
            Assert.Equal(new[] { "A.B.d304b818.0.g.cs", "a.b.d304b818.1.g.cs" }, assigned.Select(static e => e.HintName));
        }

        [Fact]
        public void AssignHintNames_NameEqualToAnotherSuffixedName_StillDistinct()
        {
            // A method may be named like a hash suffix: its plain name then equals the suffixed name of a clashing pair.
            string suffixed = KernelPlanner.AssignHintNames(new[] { new HintNameEntry("k1", "X.M.g.cs"), new HintNameEntry("k2", "x.m.g.cs") })[0].HintName;
            var assigned = KernelPlanner.AssignHintNames(new[]
            {
                new HintNameEntry("k1", "X.M.g.cs"), new HintNameEntry("k2", "x.m.g.cs"), new HintNameEntry("k3", suffixed),
            });
            Assert.Equal(3, assigned.Select(static e => e.HintName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.Equal(assigned, KernelPlanner.AssignHintNames(assigned.Reverse().Select(e => new HintNameEntry(e.Key, e.Key == "k3" ? suffixed : e.Key == "k1" ? "X.M.g.cs" : "x.m.g.cs"))));
        }

        /// <summary>Runs the generator; asserts no crash, no diagnostics, one file per kernel, a clean compilation; returns the sorted hint names.</summary>
        internal static string[] AssertAllGeneratedAndClean(string source, bool tensors, int kernels)
        {
            Compilation compilation = GeneratorHarness.Compile(tensors, source);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            Assert.Null(result.Exception);
            Assert.Empty(driverDiagnostics.Where(static d => d.Id != "KG0025"));
            // Overloaded kernels share a name, so none gets the spec property: KG0025 (Info) on each, nothing else.
            Assert.Empty(result.Diagnostics.Where(static d => d.Id != "KG0025"));
            Assert.All(result.Diagnostics, static d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
            Assert.Equal(kernels, result.GeneratedSources.Length);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            return result.GeneratedSources.Select(static s => s.HintName).OrderBy(static n => n, StringComparer.Ordinal).ToArray();
        }
    }
}
