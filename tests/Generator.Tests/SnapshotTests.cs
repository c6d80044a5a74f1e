using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The generated source for representative specs, compared with <c>Snapshots/*.verified.cs</c>. Each case must also
    /// compile with no warning or error, so a snapshot can never accept broken code.
    /// </summary>
    public sealed class SnapshotTests
    {
        private const string Usings = "using System;\nusing KernelGen;\n\n";

        public static TheoryData<string, string> Specs() => new()
        {
            { "Full64", Kernel("[AttentionKernel(64)]") },
            { "Causal128", Kernel("[AttentionKernel(128)]\n    [CausalMask]") },
            { "Window64Symmetric16", Kernel("[AttentionKernel(64)]\n    [SlidingWindow(16)]") },
            { "MistralCausalWindow128", Kernel("[AttentionKernel(128)]\n    [CausalMask]\n    [SlidingWindow(4096, 0)]") },
            { "Longformer64", Kernel("[AttentionKernel(64)]\n    [SlidingWindow(16, 16)]\n    [GlobalTokens(77, 0, 5)]") },
            { "CausalWindowGlobals80", Kernel("[AttentionKernel(80)]\n    [CausalMask]\n    [SlidingWindow(256, 0)]\n    [GlobalTokens(0, 1, 2, 3)]") },
            { "Scalar3Causal", Kernel("[AttentionKernel(3)]\n    [CausalMask]") },
            { "Looped512ScaleHalf", Kernel("[AttentionKernel(512, Scale = 0.5f)]\n    [SlidingWindow(2, 1)]") },
            {
                "NestedGenericInstance",
                Usings + "namespace Models.Encoders\n{\n    internal partial struct Stack<T>\n    {\n        private partial class Layer\n        {\n" +
                "            /// <summary>The layer's local attention.</summary>\n            [AttentionKernel(100, Scale = 0.1f)]\n            [SlidingWindow(3, 7)]\n            [GlobalTokens(1)]\n" +
                "            internal partial void Attend(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> @out);\n        }\n    }\n}\n"
            },
            {
                "BatchedGqaPaddedCausal64",
                Usings + "namespace MyApp;\npublic static partial class Llama\n{\n    [AttentionKernel(64, Heads = 32, KeyValueHeads = 8)]\n    [CausalMask]\n" +
                "    public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);\n}\n"
            },
            {
                "BatchedBhsdSinks128",
                Usings + "namespace MyApp;\npublic static partial class Streaming\n{\n    [AttentionKernel(128, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]\n    [CausalMask]\n    [SlidingWindow(1024, 0)]\n    [GlobalTokens(0, 1, 2, 3)]\n" +
                "    public static partial void Attend(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o, int items, ReadOnlySpan<int> keyLengths);\n}\n"
            },
            {
                "BatchedKeyMaskWindowGlobals64",
                Usings + "namespace MyApp;\npublic static partial class Serving\n{\n    [AttentionKernel(64, Heads = 8, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]\n    [CausalMask]\n    [SlidingWindow(256, 0)]\n    [GlobalTokens(0, 1, 2, 3)]\n" +
                "    public static partial void Decode(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, Span<float> logSumExp);\n}\n"
            },
            {
                // Gemma 2 (2B) local layer: d = 256, 8 query heads over 4 key/value heads, logits capped at 50, a 4096-token window.
                "Gemma2LocalSoftcap256",
                Usings + "namespace MyApp;\npublic static partial class Gemma2\n{\n    [AttentionKernel(256, Heads = 8, KeyValueHeads = 4)]\n    [CausalMask]\n    [SlidingWindow(4095, 0)]\n    [Softcap(50f)]\n" +
                "    public static partial void LocalLayer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);\n}\n"
            },
            {
                // gpt-oss sliding layer: d = 64, 64 query heads over 8 key/value heads, a learned sink per head, a 128-token window.
                "GptOssSinksWindow64",
                Usings + "namespace MyApp;\npublic static partial class GptOss\n{\n    [AttentionKernel(64, Heads = 64, KeyValueHeads = 8)]\n    [CausalMask]\n    [SlidingWindow(127, 0)]\n" +
                "    public static partial void SlidingLayer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> sinks);\n}\n"
            },
            {
                // BLOOM (560m): 16 heads of 64, causal, ALiBi with the standard slopes.
                "BloomAlibi64",
                Usings + "namespace MyApp;\npublic static partial class Bloom\n{\n    [AttentionKernel(64, Heads = 16)]\n    [CausalMask]\n    [Alibi]\n" +
                "    public static partial void Layer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);\n}\n"
            },
            {
                // A T5-style encoder: a learned relative-position bias per head, the scale given per call, packed-free.
                "T5BiasRuntimeScale64",
                Usings + "namespace MyApp;\npublic static partial class T5\n{\n    [AttentionKernel(64, Heads = 8)]\n" +
                "    public static partial void Encoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, float scale, ReadOnlySpan<float> bias);\n}\n"
            },
            {
                // T5BiasRuntimeScale64 with its run-time parameters reordered and two of them bound by attribute under the
                // user's names: the same kernel, with the info naming the user's parameters.
                "T5BiasRuntimeScaleAttributes64",
                Usings + "namespace MyApp;\npublic static partial class T5\n{\n    [AttentionKernel(64, Heads = 8)]\n" +
                "    public static partial void Encoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        [Bias] ReadOnlySpan<float> positionBias, [RuntimeScale] float temperature, ReadOnlySpan<int> keyLengths);\n}\n"
            },
            {
                // A single-head kernel whose only run-time parameter is its scale.
                "SingleHeadRuntimeScale32",
                Usings + "namespace MyApp;\npublic static partial class Kernels\n{\n    [AttentionKernel(32)]\n    [CausalMask]\n" +
                "    public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, float scale);\n}\n"
            },
            {
                // A decode kernel over an f16 cache (llama.cpp's default), float query and output.
                "HalfCacheDecode128",
                Usings + "namespace MyApp;\npublic static partial class Llama\n{\n    [AttentionKernel(128)]\n    [CausalMask]\n" +
                "    public static partial void Decode(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output);\n}\n"
            },
            {
                "GlobalNamespaceImplicitPrivate",
                Usings + "partial class Kernels\n{\n    [AttentionKernel(16)]\n    static partial void Tiny(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n}\n"
            },
        };

        [Theory]
        [MemberData(nameof(Specs))]
        public void GeneratedSource_MatchesSnapshot_AndCompiles(string name, string source)
        {
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

            Assert.Null(result.Exception);
            Assert.Empty(result.Diagnostics);
            GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            Snapshot.Verify(generated.SourceText.ToString().Replace(AttentionKernelGenerator.Version, "%VERSION%"), name);
        }

        /// <summary>Batched kernels in a compilation that references System.Numerics.Tensors: the tensor form is generated too.</summary>
        public static TheoryData<string, string> TensorSpecs() => new()
        {
            {
                "TensorFormPaddedBert32",
                Usings + "namespace MyApp;\npublic static partial class MiniLm\n{\n    [AttentionKernel(32, Heads = 12)]\n" +
                "    public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,\n" +
                "        ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);\n}\n"
            },
            {
                "TensorFormPackedCausal64",
                Usings + "namespace MyApp;\ninternal partial class Prefill\n{\n    [AttentionKernel(64, Heads = 4, KeyValueHeads = 2)]\n    [CausalMask]\n" +
                "    internal partial void Attend(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o, int batch,\n" +
                "        Span<float> logSumExp, ReadOnlySpan<int> sequenceStarts);\n}\n"
            },
        };

        [Theory]
        [MemberData(nameof(TensorSpecs))]
        public void TensorForm_MatchesSnapshot_AndCompiles(string name, string source)
        {
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(tensors: true, source);

            Assert.Null(result.Exception);
            Assert.Empty(result.Diagnostics);
            GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
            Assert.Contains("global::System.Numerics.Tensors.TensorSpan<float>", generated.SourceText.ToString());
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            Snapshot.Verify(generated.SourceText.ToString().Replace(AttentionKernelGenerator.Version, "%VERSION%"), name);
        }

        [Fact]
        public void TensorForm_WithoutTheTensorsPackage_IsNotGenerated()
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(tensors: false, TensorSpecs().First()[1].ToString()!);
            Assert.DoesNotContain("TensorSpan", Assert.Single(result.GeneratedSources).SourceText.ToString());
        }

        [Fact]
        public void TensorForm_ExperimentalTensorTypes_IsNotGenerated()
        {
            // System.Numerics.Tensors 9.x marks the types [Experimental("SYSLIB5001")]: using them would fail the user's build.
            string experimental = "namespace System.Numerics.Tensors\n{\n" +
                "    [System.Diagnostics.CodeAnalysis.Experimental(\"SYSLIB5001\")] public ref struct ReadOnlyTensorSpan<T> { }\n" +
                "    [System.Diagnostics.CodeAnalysis.Experimental(\"SYSLIB5001\")] public ref struct TensorSpan<T> { }\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(tensors: false, TensorSpecs().First()[1].ToString()!, experimental);
            Assert.DoesNotContain("TensorSpan", Assert.Single(result.GeneratedSources).SourceText.ToString());
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void TensorForm_SingleHeadKernel_IsNotGenerated()
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(tensors: true, Kernel("[AttentionKernel(64)]"));
            Assert.DoesNotContain("TensorSpan", Assert.Single(result.GeneratedSources).SourceText.ToString());
        }

        [Fact]
        public void TensorForm_UserDeclaresOwnTensorOverload_IsNotGenerated()
        {
            string source = Usings + "using System.Numerics.Tensors;\nnamespace MyApp;\npublic static partial class Mine\n{\n    [AttentionKernel(32, Heads = 2)]\n" +
                "    public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);\n" +
                "    public static void Attend(ReadOnlyTensorSpan<float> query, ReadOnlyTensorSpan<float> key, ReadOnlyTensorSpan<float> value, TensorSpan<float> output) { }\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(tensors: true, source);
            Assert.DoesNotContain("TensorSpan", Assert.Single(result.GeneratedSources).SourceText.ToString());
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void HintName_IsNamespaceTypesAndMethod()
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(Specs().Single(row => (string)row[0] == "NestedGenericInstance")[1].ToString()!);
            Assert.Equal("Models.Encoders.Stack`1+Layer.Attend.g.cs", Assert.Single(result.GeneratedSources).HintName);
        }

        [Fact]
        public void UserDocComment_IsKept_AndKernelRemarksAreAdded()
        {
            string source = Kernel("/// <summary>My encoder attention.</summary>\n    [AttentionKernel(64)]\n    [CausalMask]\n    [SlidingWindow(256, 0)]");
            (GeneratorRunResult _, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));

            IMethodSymbol method = output.GetTypeByMetadataName("MyApp.Kernels.Attention")!.GetMembers("Attend").OfType<IMethodSymbol>().Single();
            string documentation = (method.PartialImplementationPart ?? method).GetDocumentationCommentXml()!;
            Assert.Contains("My encoder attention.", documentation);
            Assert.Contains("6.08% at N = 4096 of the N x N score pairs", documentation.Replace("\r\n", "\n").Replace("\n", " "));
            Assert.Contains("sliding window (256, 0)", documentation);
        }

        [Fact]
        public void UserRemarks_AreLeftAsWritten()
        {
            string source = Kernel("/// <summary>S.</summary>\n    /// <remarks>Mine.</remarks>\n    [AttentionKernel(8)]");
            string generated = Assert.Single(GeneratorHarness.Run(source).Result.GeneratedSources).SourceText.ToString();
            Assert.Contains("/// <remarks>Mine.</remarks>", generated);
            Assert.DoesNotContain("score pairs (Nq = Nk = N)", generated);
        }

        internal static string Kernel(string attributes, string name = "Attend") =>
            Usings + "namespace MyApp.Kernels\n{\n    public static partial class Attention\n    {\n        " +
            attributes.Replace("\n    ", "\n        ") +
            $"\n        public static partial void {name}(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n    }}\n}}\n";
    }
}
