using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The tensor form beside a batched kernel takes the declaration's accessibility, static and unsafe, never what ties
    /// the span method to a base member (override, new, virtual, sealed, abstract): the generated file must compile.
    /// </summary>
    public sealed class TensorFormModifierTests
    {
        private const string Batched = "(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch)";

        private static string Source(string baseMembers, string kernelHead) =>
            "using System;\nusing KernelGen;\nnamespace App;\n" +
            "public abstract class Base\n{\n" + baseMembers + "\n}\n" +
            "public partial class Derived : Base\n{\n    [AttentionKernel(8, Heads = 2)]\n    " + kernelHead + " A" + Batched + ";\n}\n";

        [Theory]
        [InlineData("    public abstract void A" + Batched + ";", "public override partial void")]
        [InlineData("    public abstract void A" + Batched + ";", "public sealed override partial void")]
        [InlineData("    public virtual void A" + Batched + " { }", "public override partial void")]
        [InlineData("    public void A" + Batched + " { }", "public new partial void")]
        [InlineData("    public void A" + Batched + " { }", "public new virtual partial void")]
        [InlineData("", "public virtual partial void")]
        [InlineData("", "protected internal virtual partial void")]
        [InlineData("", "private protected partial void")]
        public void TensorForm_OfDeclarationWithInheritanceModifiers_Compiles(string baseMembers, string kernelHead)
        {
            string source = Source(baseMembers, kernelHead);
            HintNameTests.AssertAllGeneratedAndClean(source, tensors: true, kernels: 1);
            Assert.Contains("global::System.Numerics.Tensors.TensorSpan<float>",
                GeneratorHarness.Run(tensors: true, source).Result.GeneratedSources[0].SourceText.ToString());
        }

        [Fact]
        public void TensorForm_OverridingAKernelWithATensorForm_HidesItWithNew()
        {
            // The base's kernel has its own tensor form: the derived one hides it, and says so (no CS0108 warning).
            string source = Source("", "public override partial void")
                .Replace("public abstract class Base\n{\n\n}", "public partial class Base\n{\n    [AttentionKernel(8, Heads = 2)]\n    public virtual partial void A" + Batched + ";\n}");
            HintNameTests.AssertAllGeneratedAndClean(source, tensors: true, kernels: 2);
        }
    }
}
