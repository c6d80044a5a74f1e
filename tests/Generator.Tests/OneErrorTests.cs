using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// One error per mistake: for each bad declaration, the exact diagnostics of the whole build (the generator's and the
    /// compiler's on the output, warnings and errors, by id). A declaration with a KG error gets a throwing implementation
    /// part, so the compiler adds no CS8795. The exceptions, listed with their reason: a type that is not partial (the
    /// kernel's own: the compiler's CS0751, and KernelGen adds nothing; an outer one: KG0002) and KG0013 (a file-local
    /// type): no other file can add a body to those, so CS8795 stays.
    /// </summary>
    public sealed class OneErrorTests
    {
        private const string Spans = "ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output";
        private const string Signature = "(" + Spans + ")";
        private const string Batched = "(" + Spans + ", int batch";

        public static TheoryData<string, string, string> BadDeclarations() => new()
        {
            // KG0001: a body written by the user, or an implementation part: no stub (a second part would be CS0111/CS0757).
            { "KG0001 not partial", Member("public static void Attend" + Signature + " { }"), "KG0001" },
            { "KG0001 implemented", Member("public static partial void Attend" + Signature + ";\n        public static partial void Attend" + Signature + " { }"), "KG0001" },
            // KG0002's two cases: the compiler's CS0751 alone says the kernel's own type is not partial; an outer type that is
            // not partial is KG0002. CS8795 follows both: no other file can add a body to a type that is not partial.
            { "own type not partial", "using System;\nusing KernelGen;\npublic static class Plain\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n", "CS0751 CS8795" },
            {
                "KG0002 outer type not partial",
                "using System;\nusing KernelGen;\npublic static class Plain\n{\n    public static partial class Kernels\n    {\n        [AttentionKernel(64)]\n        public static partial void Attend" + Signature + ";\n    }\n}\n",
                "CS8795 KG0002"
            },
            { "KG0003 returns int", Member("public static partial int Attend" + Signature + ";"), "KG0003" },
            { "KG0003 three spans", Member("public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, Span<float> output);"), "KG0003" },
            { "KG0003 double query", Member("public static partial void Attend(ReadOnlySpan<double> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);"), "KG0003" },
            { "KG0003 ref output", Member("public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ref Span<float> output);"), "KG0003" },
            { "KG0003 long batch", Member("[AttentionKernel(64, Heads = 2)]", "public static partial void Attend(" + Spans + ", long batch);"), "KG0003" },
            { "KG0004 generic", Member("public static partial void Attend<T>" + Signature + ";"), "KG0004" },
            { "KG0004 generic with constraints", Member("public static partial void Attend<T, U>" + Signature + " where T : struct, IComparable<T> where U : class?, new();"), "KG0004" },
            { "KG0005 head dimension", Member("[AttentionKernel(0)]", "public static partial void Attend" + Signature + ";"), "KG0005" },
            { "KG0006 scale", Member("[AttentionKernel(64, Scale = -1f)]", "public static partial void Attend" + Signature + ";"), "KG0006" },
            { "KG0007 window", Member("[AttentionKernel(64)]\n        [SlidingWindow(-3)]", "public static partial void Attend" + Signature + ";"), "KG0007" },
            { "KG0008 global", Member("[AttentionKernel(64)]\n        [SlidingWindow(4)]\n        [GlobalTokens(0, -4)]", "public static partial void Attend" + Signature + ";"), "KG0008" },
            { "KG0009 duplicate global", Member("[AttentionKernel(64)]\n        [SlidingWindow(4)]\n        [GlobalTokens(7, 7)]", "public static partial void Attend" + Signature + ";"), "KG0009" },
            { "KG0013 file-local type", "using System;\nusing KernelGen;\nfile partial class Local\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n", "CS8795 KG0013" },
            { "KG0015 unknown parameter", Member("[AttentionKernel(64, Heads = 4)]", "public static partial void Attend" + Batched + ", ReadOnlySpan<int> lengths);"), "KG0015" },
            { "KG0015 single-head float", Member("public static partial void Attend(" + Spans + ", float temperature);"), "KG0015" },
            { "KG0017 heads", Member("[AttentionKernel(64, Heads = -2)]", "public static partial void Attend" + Batched + ");"), "KG0017" },
            { "KG0018 key/value heads", Member("[AttentionKernel(64, Heads = 8, KeyValueHeads = 3)]", "public static partial void Attend" + Batched + ");"), "KG0018" },
            { "KG0019 layout", Member("[AttentionKernel(64, Heads = 2, Layout = (AttentionLayout)7)]", "public static partial void Attend" + Batched + ");"), "KG0019" },
            { "KG0020 heads without batch", Member("[AttentionKernel(64, Heads = 8)]", "public static partial void Attend" + Signature + ";"), "KG0020" },
            { "KG0021 packed head-major", Member("[AttentionKernel(64, Heads = 4, Layout = AttentionLayout.BatchHeadSeqDim)]", "public static partial void Attend" + Batched + ", ReadOnlySpan<int> sequenceStarts);"), "KG0021" },
            { "KG0022 softcap", Member("[AttentionKernel(64)]\n        [Softcap(0f)]", "public static partial void Attend" + Signature + ";"), "KG0022" },
            { "KG0023 alibi single head", Member("[AttentionKernel(64)]\n        [Alibi]", "public static partial void Attend" + Signature + ";"), "KG0023" },
            { "KG0024 mixed cache types", Member("public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<BFloat16> value, Span<float> output);"), "KG0024" },
            { "two errors, one declaration", Member("[AttentionKernel(0)]\n        [SlidingWindow(-3)]", "public static partial void Attend" + Signature + ";"), "KG0005 KG0007" },
        };

        /// <summary>Signatures a stub must reproduce exactly (modifiers, ref kinds, generic and nested containing types), each with a KG error.</summary>
        public static TheoryData<string, string, string> UnusualSignatures() => new()
        {
            { "out, params, ref return", Member("public static partial ref int Attend(" + Spans + ", out int written, params int[] rest);"), "KG0003 KG0015" },
            { "scoped ref and in", Member("public static partial void Attend(scoped ref ReadOnlySpan<float> query, in ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);"), "KG0003" },
            { "ref readonly parameter", Member("public static partial void Attend(ref readonly ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);"), "KG0003" },
            { "nullable and tuple types", Member("public static partial (int Count, string? Name) Attend(" + Spans + ", string? label, List<(int A, int B)> pairs);"), "KG0003" },
            {
                "instance, readonly, nested generic ref struct",
                "using System;\nusing KernelGen;\nnamespace App.Inner\n{\n    public partial class Outer<T> where T : struct\n    {\n        public ref partial struct Rows<@class>\n        {\n"
                    + "            [AttentionKernel(0)]\n            internal readonly partial void Attend" + Signature + ";\n        }\n    }\n}\n",
                "KG0005"
            },
            {
                "extension method",
                "using System;\nusing KernelGen;\npublic static partial class Extensions\n{\n    [AttentionKernel(0)]\n    public static partial void Attend(this ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n}\n",
                "KG0005"
            },
            { "keyword names", Member("public static partial void @event(ReadOnlySpan<double> @class, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);"), "KG0003" },
            { "overloads, both bad", Member("public static partial void Attend(ReadOnlySpan<double> query);\n        [AttentionKernel(64)]\n        public static partial void Attend(ReadOnlySpan<int> query);"), "KG0003 KG0003" },
            { "global namespace, internal record", "using System;\nusing KernelGen;\ninternal partial record Kernels\n{\n    [AttentionKernel(-1)]\n    internal partial void Attend" + Signature + ";\n}\n", "KG0005" },
        };

        [Theory]
        [MemberData(nameof(BadDeclarations))]
        public void BadDeclaration_GivesItsKgErrorAlone(string name, string source, string expected)
        {
            Assert.True(Ids(source) == expected, $"{name}: expected [{expected}], the build reported [{Ids(source)}]");
        }

        [Theory]
        [MemberData(nameof(UnusualSignatures))]
        public void UnusualSignature_StubCompiles_AndTheKgErrorIsAlone(string name, string source, string expected)
        {
            Assert.True(Ids(source) == expected, $"{name}: expected [{expected}], the build reported [{Ids(source)}]");
        }

        [Theory]
        // C# 7.3 allows neither accessibility nor out parameters on a partial method (CS8797), and no nullable context.
        [InlineData(LanguageVersion.CSharp7_3, "static partial void", "")]
        [InlineData(LanguageVersion.CSharp9, "public static partial void", ", out int count")]
        [InlineData(LanguageVersion.CSharp10, "public static partial void", ", out int count")]
        public void OldLanguageVersion_KG0014Alone_StubInOldSyntax(LanguageVersion version, string declaration, string tail)
        {
            string source = "using System;\nusing KernelGen;\n\nnamespace App\n{\n    public static partial class Kernels\n    {\n        [AttentionKernel(64)]\n        "
                + declaration + " Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output" + tail + ");\n    }\n}\n";
            var options = new CSharpParseOptions(version, DocumentationMode.Diagnose);
            CSharpCompilation user = GeneratorHarness.Compile(source);
            Compilation compilation = user.WithOptions(user.Options.WithNullableContextOptions(version >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable))
                .RemoveAllSyntaxTrees().AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, options, path: "User0.cs"));
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new AttentionKernelGenerator().AsSourceGenerator() }, parseOptions: options)
                .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            Assert.Equal("KG0014", Format(result, output));
            string stub = Assert.Single(result.GeneratedSources).SourceText.ToString();
            Assert.Equal(version >= LanguageVersion.CSharp8, stub.Contains("#nullable enable", StringComparison.Ordinal));
        }

        [Fact]
        public void Stub_ThrowsNamingTheKgId()
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(Member("[AttentionKernel(0)]\n        [SlidingWindow(-3)]", "public static partial void Attend" + Signature + ";"));
            string stub = Assert.Single(result.GeneratedSources).SourceText.ToString();
            Assert.Contains("throw new global::System.InvalidOperationException(\"KernelGen did not generate App.Kernels.Attend (KG0005, KG0007): fix the error reported on its declaration.\");", stub);
            Assert.EndsWith(".Invalid.g.cs", result.GeneratedSources[0].HintName);
        }

        [Fact]
        public void ValidKernel_GetsNoStub()
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(Member("public static partial void Attend" + Signature + ";"));
            Assert.DoesNotContain(result.GeneratedSources, static s => s.HintName.EndsWith(".Invalid.g.cs", StringComparison.Ordinal));
        }

        /// <summary>The build's diagnostics by id, sorted: the generator's, then the compiler's warnings and errors on the output.</summary>
        private static string Ids(string source)
        {
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            return Format(result, output);
        }

        private static string Format(GeneratorRunResult result, Compilation output)
        {
            Assert.Null(result.Exception);
            IEnumerable<string> ids = result.Diagnostics.Select(static d => d.Id)
                .Concat(output.GetDiagnostics().Where(static d => d.Severity >= DiagnosticSeverity.Warning).Select(static d => d.Id));
            return string.Join(" ", ids.OrderBy(static id => id, StringComparer.Ordinal));
        }

        private static string Member(string declaration) => Member("[AttentionKernel(64)]", declaration);

        private static string Member(string attributes, string declaration) =>
            "using System;\nusing System.Collections.Generic;\nusing KernelGen;\n\nnamespace App\n{\n    public static partial class Kernels\n    {\n        "
            + attributes + "\n        " + declaration + "\n    }\n}\n";
    }
}
