using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>One test per KG id: the id, the severity, and the exact text the diagnostic points at.</summary>
    public sealed class DiagnosticTests
    {
        private const string Signature = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)";

        [Theory]
        [InlineData("public static void Attend" + Signature + " { }", "Attend")]
        [InlineData("public static partial void Attend" + Signature + ";\n        public static partial void Attend" + Signature + " { }", "Attend")]
        public void KG0001_NotAPartialDeclaration(string method, string pointsAt)
        {
            string source = Wrap("[AttentionKernel(64)]\n        " + method);
            AssertSingle(source, "KG0001", DiagnosticSeverity.Error, pointsAt);
        }

        [Fact]
        public void KG0002_EnclosingTypeNotPartial()
        {
            string source = "using System;\nusing KernelGen;\npublic static class Plain\n{\n    public static partial class Kernels\n    {\n        [AttentionKernel(64)]\n"
                + "        public static partial void Attend" + Signature + ";\n    }\n}\n";
            AssertSingle(source, "KG0002", DiagnosticSeverity.Error, "Plain");
        }

        [Fact]
        public void KG0002_NotForTheKernelsOwnType_WhichIsTheCompilersCS0751()
        {
            string source = "using System;\nusing KernelGen;\npublic static class Plain\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(result.GeneratedSources);
            Assert.Contains(output.GetDiagnostics(), static d => d.Id == "CS0751");
        }

        [Theory]
        [InlineData("public static partial int Attend" + Signature + ";")]
        [InlineData("public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, Span<float> output);")]
        [InlineData("public static partial void Attend(ReadOnlySpan<double> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);")]
        [InlineData("public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ref Span<float> output);")]
        public void KG0003_WrongSignature(string method)
        {
            AssertContains(Wrap("[AttentionKernel(64)]\n        " + method), "KG0003", DiagnosticSeverity.Error, "Attend");
        }

        [Fact]
        public void KG0004_GenericMethod()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        public static partial void Attend<T>" + Signature + ";"), "KG0004", DiagnosticSeverity.Error, "<T>");
        }

        [Theory]
        [InlineData("[AttentionKernel(0)]", "0")]
        [InlineData("[AttentionKernel(513)]", "513")]
        [InlineData("[AttentionKernel(headDimension: -8)]", "-8")]
        public void KG0005_HeadDimensionOutOfRange(string attribute, string pointsAt)
        {
            AssertSingle(Wrap(attribute + "\n        public static partial void Attend" + Signature + ";"), "KG0005", DiagnosticSeverity.Error, pointsAt);
        }

        [Theory]
        [InlineData("-1f")]
        [InlineData("float.NaN")]
        [InlineData("float.PositiveInfinity")]
        public void KG0006_InvalidScale(string scale)
        {
            AssertSingle(Wrap($"[AttentionKernel(64, Scale = {scale})]\n        public static partial void Attend" + Signature + ";"), "KG0006", DiagnosticSeverity.Error, scale);
        }

        [Theory]
        [InlineData("[SlidingWindow(-3)]", "-3")]
        [InlineData("[SlidingWindow(4, -1)]", "-1")]
        [InlineData("[SlidingWindow(right: 2, left: -5)]", "-5")]
        public void KG0007_NegativeWindowSide(string attribute, string pointsAt)
        {
            AssertSingle(Kernel(attribute), "KG0007", DiagnosticSeverity.Error, pointsAt);
        }

        [Fact]
        public void KG0008_NegativeGlobalPosition()
        {
            AssertSingle(Kernel("[SlidingWindow(4)]\n        [GlobalTokens(0, -4, 9)]"), "KG0008", DiagnosticSeverity.Error, "-4");
        }

        [Fact]
        public void KG0009_DuplicateGlobalPosition()
        {
            Diagnostic diagnostic = AssertSingle(Kernel("[SlidingWindow(4)]\n        [GlobalTokens(7, 2, 7)]"), "KG0009", DiagnosticSeverity.Error, "7");
            Assert.Equal("[GlobalTokens(7, 2, ".Length, diagnostic.Location.GetLineSpan().StartLinePosition.Character - "        ".Length);
        }

        [Fact]
        public void KG0010_GlobalTokensWithoutWindow_WarnsAndStillGenerates()
        {
            string source = Kernel("[GlobalTokens(0, 1)]");
            AssertSingle(source, "KG0010", DiagnosticSeverity.Warning, "GlobalTokens(0, 1)");
            Assert.Single(GeneratorHarness.Run(source).Result.GeneratedSources);
        }

        [Theory]
        [InlineData("[SlidingWindow(16, 4)]", "4")]
        [InlineData("[SlidingWindow(8)]", "8")]
        public void KG0011_WindowRightCutByCausal_Warns(string window, string pointsAt)
        {
            AssertSingle(Kernel("[CausalMask]\n        " + window), "KG0011", DiagnosticSeverity.Warning, pointsAt);
        }

        [Theory]
        [InlineData("[CausalMask]", "CausalMask")]
        [InlineData("[SlidingWindow(2)]", "SlidingWindow(2)")]
        [InlineData("[GlobalTokens(1)]", "GlobalTokens(1)")]
        [InlineData("[Softcap(50f)]", "Softcap(50f)")]
        [InlineData("[Alibi]", "Alibi")]
        public void KG0012_MaskWithoutKernel_Warns(string attribute, string pointsAt)
        {
            AssertSingle(Wrap(attribute + "\n        public static void Helper() { }"), "KG0012", DiagnosticSeverity.Warning, pointsAt);
        }

        [Fact]
        public void KG0013_FileLocalContainingType()
        {
            string source = "using System;\nusing KernelGen;\nfile partial class Local\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n";
            AssertSingle(source, "KG0013", DiagnosticSeverity.Error, "Local");
        }

        [Fact]
        public void KG0014_LanguageVersionBelow11()
        {
            string source = Wrap("[AttentionKernel(64)]\n        public static partial void Attend" + Signature + ";");
            var options = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp10);
            Compilation compilation = GeneratorHarness.Compile(source).RemoveAllSyntaxTrees()
                .AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, options, path: "User0.cs"));
            GeneratorRunResult result = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver
                .Create(new[] { new AttentionKernelGenerator().AsSourceGenerator() }, parseOptions: options)
                .RunGenerators(compilation).GetRunResult().Results.Single();
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            AssertDiagnostic(diagnostic, source, "KG0014", DiagnosticSeverity.Error, "Attend");
            // No kernel: only the throwing stand-in that keeps CS8795 away (OneErrorTests).
            Assert.EndsWith(".Invalid.g.cs", Assert.Single(result.GeneratedSources).HintName);
        }

        private const string Batched = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch";

        [Theory]
        [InlineData(", ReadOnlySpan<int> lengths)", "ReadOnlySpan<int> lengths")]
        [InlineData(", ReadOnlySpan<long> keyLengths)", "ReadOnlySpan<long> keyLengths")]
        [InlineData(", in ReadOnlySpan<int> keyLengths)", "in ReadOnlySpan<int> keyLengths")]
        public void KG0015_UnknownOrMisplacedRuntimeParameter(string tail, string pointsAt)
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 4)]\n        public static partial void Attend" + Batched + tail + ";"), "KG0015", DiagnosticSeverity.Error, pointsAt);
        }

        [Fact]
        public void KG0015_SequenceStartsWithLengths()
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 4)]\n        public static partial void Attend" + Batched + ", ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> sequenceStarts);"),
                "KG0015", DiagnosticSeverity.Error, "ReadOnlySpan<int> sequenceStarts");
        }

        [Theory]
        [InlineData(", ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> querySequenceStarts, ReadOnlySpan<int> keySequenceStarts);", "ReadOnlySpan<int> querySequenceStarts")]
        [InlineData(", ReadOnlySpan<int> sequenceStarts, ReadOnlySpan<int> querySequenceStarts, ReadOnlySpan<int> keySequenceStarts);", "ReadOnlySpan<int> querySequenceStarts")]
        [InlineData(", ReadOnlySpan<int> querySequenceStarts);", "ReadOnlySpan<int> querySequenceStarts")]
        [InlineData(", ReadOnlySpan<int> keySequenceStarts);", "ReadOnlySpan<int> keySequenceStarts")]
        [InlineData(", ReadOnlySpan<float> alibiSlopes);", "ReadOnlySpan<float> alibiSlopes")]
        [InlineData(", ReadOnlySpan<int> sequenceStarts, ReadOnlySpan<float> bias);", "ReadOnlySpan<float> bias")]
        [InlineData(", double scale);", "double scale")]
        public void KG0015_ScoreAndPackedParameters_InTheWrongCombination(string tail, string pointsAt)
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 4)]\n        public static partial void Attend" + Batched + tail), "KG0015", DiagnosticSeverity.Error, pointsAt);
        }

        [Fact]
        public void KG0015_SingleHeadScaleWithAnotherName()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, float temperature);"),
                "KG0015", DiagnosticSeverity.Error, "float temperature");
        }

        [Theory]
        [InlineData("0f")]
        [InlineData("-50f")]
        [InlineData("float.NaN")]
        [InlineData("float.PositiveInfinity")]
        public void KG0022_InvalidSoftcap(string cap)
        {
            AssertSingle(Wrap($"[AttentionKernel(64)]\n        [Softcap({cap})]\n        public static partial void Attend" + Signature + ";"), "KG0022", DiagnosticSeverity.Error, cap);
        }

        [Fact]
        public void KG0022_CapWhoseReciprocalOverflows()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        [Softcap(1e-40f)]\n        public static partial void Attend" + Signature + ";"), "KG0022", DiagnosticSeverity.Error, "1e-40f");
        }

        [Fact]
        public void KG0020_SingleHeadScaleKernelNamingHeads()
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 8)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, float scale);"),
                "KG0020", DiagnosticSeverity.Error, "8");
        }

        [Fact]
        public void KG0020_Only_ForAlibiOnASingleHeadKernelNamingHeads()
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 8)]\n        [Alibi]\n        public static partial void Attend" + Signature + ";"), "KG0020", DiagnosticSeverity.Error, "8");
        }

        [Fact]
        public void KG0023_AlibiOnASingleHeadKernel()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        [Alibi]\n        public static partial void Attend" + Signature + ";"), "KG0023", DiagnosticSeverity.Error, "Alibi");
        }

        [Fact]
        public void KG0023_AlibiWithoutHeads()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        [Alibi]\n        public static partial void Attend" + Batched + ");"), "KG0023", DiagnosticSeverity.Error, "Alibi");
        }

        [Fact]
        public void KG0024_MixedKeyValueTypes()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<BFloat16> value, Span<float> output);"),
                "KG0024", DiagnosticSeverity.Error, "ReadOnlySpan<BFloat16>");
        }

        [Fact]
        public void KG0003_UnsupportedElementType()
        {
            AssertSingle(Wrap("[AttentionKernel(64)]\n        public static partial void Attend(ReadOnlySpan<double> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);"),
                "KG0003", DiagnosticSeverity.Error, "Attend");
        }

        [Fact]
        public void KG0021_PackedSequencesWithHeadMajorLayout()
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 4, Layout = AttentionLayout.BatchHeadSeqDim)]\n        public static partial void Attend" + Batched + ", ReadOnlySpan<int> sequenceStarts);"),
                "KG0021", DiagnosticSeverity.Error, "AttentionLayout.BatchHeadSeqDim");
        }

        [Fact]
        public void KG0017_InvalidHeads()
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = -2)]\n        public static partial void Attend" + Batched + ");"), "KG0017", DiagnosticSeverity.Error, "-2");
        }

        [Theory]
        [InlineData("Heads = 8, KeyValueHeads = 3", "3")]
        [InlineData("Heads = 4, KeyValueHeads = 8", "8")]
        [InlineData("KeyValueHeads = -1, Heads = 4", "-1")]
        public void KG0018_KeyValueHeadsMustDivideHeads(string arguments, string pointsAt)
        {
            AssertSingle(Wrap($"[AttentionKernel(64, {arguments})]\n        public static partial void Attend" + Batched + ");"), "KG0018", DiagnosticSeverity.Error, pointsAt);
        }

        [Fact]
        public void KG0019_InvalidLayout()
        {
            AssertSingle(Wrap("[AttentionKernel(64, Heads = 2, Layout = (AttentionLayout)7)]\n        public static partial void Attend" + Batched + ");"), "KG0019", DiagnosticSeverity.Error, "(AttentionLayout)7");
        }

        [Theory]
        [InlineData("Heads = 8", "8")]
        [InlineData("Layout = AttentionLayout.BatchHeadSeqDim", "AttentionLayout.BatchHeadSeqDim")]
        public void KG0020_MultiHeadWithoutBatch(string argument, string pointsAt)
        {
            AssertSingle(Wrap($"[AttentionKernel(64, {argument})]\n        public static partial void Attend" + Signature + ";"), "KG0020", DiagnosticSeverity.Error, pointsAt);
        }

        [Fact]
        public void KG0003_BatchParameterMustBeInt()
        {
            AssertContains(Wrap("[AttentionKernel(64, Heads = 2)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, long batch);"),
                "KG0003", DiagnosticSeverity.Error, "Attend");
        }

        [Fact]
        public void KG0999_EmitterFailure_IsReportedNotThrown()
        {
            // A plan no parser produces (no parameter names) makes the emitter fail; the generator must report, not throw.
            var spec = new Model.KernelSpec("App", new Model.EquatableArray<Model.ContainingTypeSpec>(new[] { new Model.ContainingTypeSpec(string.Empty, "class", "K", string.Empty, 0) }),
                "Attend", "public static", Model.EquatableArray<string>.Empty, false, 8, 0.5f, false,
                new Model.MaskSpec(false, false, 0, 0, Model.EquatableArray<int>.Empty), Model.EquatableArray<string>.Empty);
            bool emitted = AttentionKernelGenerator.TryEmit(Planning.KernelPlanner.Plan(spec), out string? source, out Diagnostic? error);
            Assert.False(emitted);
            Assert.Null(source);
            Assert.Equal("KG0999", error!.Id);
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        }

        [Fact]
        public void KG0999_RefusedHintName_IsReportedNotThrown()
        {
            // AddSource throws ArgumentException for a duplicate or invalid hint name; the generator must report, not throw.
            var spec = new Model.KernelSpec("App", new Model.EquatableArray<Model.ContainingTypeSpec>(new[] { new Model.ContainingTypeSpec(string.Empty, "class", "K", string.Empty, 0) }),
                "Attend", "public static", Model.EquatableArray<string>.Empty, false, 8, 0.5f, false,
                new Model.MaskSpec(false, false, 0, 0, Model.EquatableArray<int>.Empty), Model.EquatableArray<string>.Empty);
            Planning.KernelPlan plan = Planning.KernelPlanner.Plan(spec);
            var added = new System.Collections.Generic.HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
            void Add(string hintName, string source)
            {
                if (!added.Add(hintName))
                {
                    throw new System.ArgumentException("The hint name '" + hintName + "' was already added", nameof(hintName));
                }
            }

            Assert.Null(AttentionKernelGenerator.TryAddSource(Add, plan, "// first"));
            Diagnostic? error = AttentionKernelGenerator.TryAddSource(Add, plan, "// second");
            Assert.Equal("KG0999", error!.Id);
            Assert.Contains("App.K.Attend.g.cs", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public void EveryDescriptor_IsTrackedInAnalyzerReleases()
        {
            string releases = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "src/Generator/Diagnostics/AnalyzerReleases.Unshipped.md"));
            foreach (DiagnosticDescriptor descriptor in AllDescriptors())
            {
                Assert.Contains($"{descriptor.Id} | KernelGen | {descriptor.DefaultSeverity} |", releases);
            }
        }

        internal static DiagnosticDescriptor[] AllDescriptors() =>
            typeof(Diagnostics.DiagnosticDescriptors).GetFields()
                .Where(static f => f.FieldType == typeof(DiagnosticDescriptor))
                .Select(static f => (DiagnosticDescriptor)f.GetValue(null)!)
                .ToArray();

        internal static string Wrap(string members) =>
            "using System;\nusing KernelGen;\n\nnamespace App\n{\n    public static partial class Kernels\n    {\n        " + members + "\n    }\n}\n";

        private static string Kernel(string maskAttributes) =>
            Wrap("[AttentionKernel(64)]\n        " + maskAttributes + "\n        public static partial void Attend" + Signature + ";");

        private static Diagnostic AssertSingle(string source, string id, DiagnosticSeverity severity, string pointsAt)
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            AssertDiagnostic(diagnostic, source, id, severity, pointsAt);
            if (severity == DiagnosticSeverity.Error)
            {
                AssertNoKernel(result);
            }

            return diagnostic;
        }

        private static void AssertContains(string source, string id, DiagnosticSeverity severity, string pointsAt)
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == id);
            AssertDiagnostic(diagnostic, source, id, severity, pointsAt);
            AssertNoKernel(result);
        }

        /// <summary>An error gets no kernel: at most the throwing stand-in that keeps CS8795 away (OneErrorTests).</summary>
        private static void AssertNoKernel(GeneratorRunResult result) =>
            Assert.All(result.GeneratedSources, static s => Assert.EndsWith(".Invalid.g.cs", s.HintName, StringComparison.Ordinal));

        private static void AssertDiagnostic(Diagnostic diagnostic, string source, string id, DiagnosticSeverity severity, string pointsAt)
        {
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(severity, diagnostic.Severity);
            Assert.True(diagnostic.Location.IsInSource, "diagnostic has no source location");
            Assert.Equal(pointsAt, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.DoesNotContain("{", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }

        internal static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
            System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "..", ".."));
    }
}
