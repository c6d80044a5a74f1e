using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The static <c>&lt;MethodName&gt;Spec</c> property beside each kernel: its accessibility, its clashes (KG0025, Info, and
    /// the kernel still generated), hiding a base kernel's, and that every case compiles with doc comments checked.
    /// </summary>
    public sealed class SpecPropertyTests
    {
        private const string Signature = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)";

        [Theory]
        [InlineData("public", "public static global::KernelGen.AttentionSpec AttendSpec")]
        [InlineData("internal", "internal static global::KernelGen.AttentionSpec AttendSpec")]
        [InlineData("private", "private static global::KernelGen.AttentionSpec AttendSpec")]
        [InlineData("protected internal", "protected internal static global::KernelGen.AttentionSpec AttendSpec")]
        public void Property_RepeatsTheKernelsAccessibility(string accessibility, string declaration)
        {
            string source = "using System;\nusing KernelGen;\nnamespace App\n{\n    public partial class Kernels\n    {\n        [AttentionKernel(64)]\n        "
                + accessibility + " static partial void Attend" + Signature + ";\n    }\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            Assert.Contains(declaration + " => ", Assert.Single(result.GeneratedSources).SourceText.ToString());
        }

        [Fact]
        public void Property_OfAnInstanceKernelInANestedGenericStruct_IsStaticAndCompiles()
        {
            string source = "using System;\nusing KernelGen;\nnamespace App\n{\n    public partial class Outer<T>\n    {\n        public partial struct Inner\n        {\n"
                + "            [AttentionKernel(32)]\n            [CausalMask]\n            internal readonly partial void Attend" + Signature + ";\n        }\n    }\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            Assert.Contains("internal static global::KernelGen.AttentionSpec AttendSpec => ", Assert.Single(result.GeneratedSources).SourceText.ToString());
        }

        [Theory]
        [InlineData("public static readonly string AttendSpec = \"\";", "already declares a member named 'AttendSpec'")]
        [InlineData("public static void AttendSpec() { }", "already declares a member named 'AttendSpec'")]
        [InlineData("public sealed class AttendSpec { }", "already declares a member named 'AttendSpec'")]
        [InlineData("[AttentionKernel(64)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, float scale);",
            "another kernel overload is also named 'Attend'")]
        public void NameTaken_SkipsTheProperty_WithKG0025Info_AndStillGeneratesTheKernel(string member, string reason)
        {
            string source = DiagnosticTests.Wrap(member + "\n        [AttentionKernel(64)]\n        public static partial void Attend" + Signature + ";");
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.NotEmpty(result.Diagnostics);
            Assert.All(result.Diagnostics, d =>
            {
                Assert.Equal("KG0025", d.Id);
                Assert.Equal(DiagnosticSeverity.Info, d.Severity);
                Assert.Contains(reason, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal("Attend", source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
            });
            Assert.NotEmpty(result.GeneratedSources);
            Assert.All(result.GeneratedSources, s => Assert.DoesNotContain("AttendSpec =>", s.SourceText.ToString()));
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void NameOfTheContainingType_SkipsTheProperty()
        {
            string source = "using System;\nusing KernelGen;\npublic static partial class AttendSpec\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Equal("KG0025", Assert.Single(result.Diagnostics).Id);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void InheritedMember_SkipsTheProperty()
        {
            string source = "using System;\nusing KernelGen;\npublic class Base\n{\n    protected static int AttendSpec;\n}\n"
                + "public partial class Derived : Base\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Contains("hide the inherited member 'Base.AttendSpec'", Assert.Single(result.Diagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
        }

        [Fact]
        public void BaseKernelOfTheSameName_IsHiddenWithNew()
        {
            string source = "using System;\nusing KernelGen;\npublic partial class Base\n{\n    [AttentionKernel(64)]\n    public static partial void Attend" + Signature + ";\n}\n"
                + "public partial class Derived : Base\n{\n    [AttentionKernel(32)]\n    [CausalMask]\n    public static new partial void Attend" + Signature + ";\n}\n";
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            string derived = result.GeneratedSources.Single(static s => s.HintName.Contains("Derived")).SourceText.ToString();
            string baseSource = result.GeneratedSources.Single(static s => s.HintName.Contains("Base")).SourceText.ToString();
            Assert.Contains("public new static global::KernelGen.AttentionSpec AttendSpec => ", derived);
            Assert.Contains("public static global::KernelGen.AttentionSpec AttendSpec => ", baseSource);
        }

        [Fact]
        public void SpecField_CarriesEveryTermOfTheSpec()
        {
            string source = DiagnosticTests.Wrap("[AttentionKernel(64, Scale = 0.5f, Heads = 8, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]\n        [CausalMask]\n"
                + "        [SlidingWindow(16, 0)]\n        [GlobalTokens(3, 0)]\n        [Softcap(30f)]\n        [Alibi]\n"
                + "        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);");
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            Assert.Contains("internal static readonly global::KernelGen.AttentionSpec Spec = new(HeadDimension, scale: 0.5f, causal: true, "
                + "window: new global::KernelGen.AttentionWindow(16, 0), globalPositions: new int[] { 0, 3 }, softcap: 30f, alibi: true, "
                + "heads: Heads, keyValueHeads: KeyValueHeads, layout: global::KernelGen.AttentionLayout.BatchHeadSeqDim);",
                Assert.Single(result.GeneratedSources).SourceText.ToString());
        }
    }
}
