using System;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>The spec's heads and layout: defaults, validation, and the batched reference that reads them from the spec.</summary>
    public sealed class AttentionSpecHeadsTests
    {
        [Fact]
        public void Defaults_AreTheSingleHeadCase()
        {
            var spec = new AttentionSpec(64, causal: true);
            Assert.Equal((1, 1, AttentionLayout.BatchSeqHeadDim), (spec.Heads, spec.KeyValueHeads, spec.Layout));
            Assert.Equal(8, new AttentionSpec(64, heads: 8).KeyValueHeads); // 0 means "as many as Heads", as in [AttentionKernel]
        }

        [Theory]
        [InlineData(0, 0, "heads")]
        [InlineData(8, 3, "keyValueHeads")]
        [InlineData(8, -1, "keyValueHeads")]
        public void InvalidHeads_Throw_NamingTheParameter(int heads, int keyValueHeads, string name)
        {
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(16, heads: heads, keyValueHeads: keyValueHeads)).ParamName);
        }

        [Fact]
        public void InvalidLayout_Throws()
        {
            Assert.Equal("layout", Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(16, layout: (AttentionLayout)2)).ParamName);
        }

        [Fact]
        public void FromAttributes_CarriesHeadsAndLayout()
        {
            var kernel = new AttentionKernelAttribute(32) { Heads = 6, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim };
            AttentionSpec spec = AttentionSpec.FromAttributes(kernel);
            Assert.Equal((6, 2, AttentionLayout.BatchHeadSeqDim), (spec.Heads, spec.KeyValueHeads, spec.Layout));
            Assert.Equal((1, 1), (AttentionSpec.FromAttributes(new AttentionKernelAttribute(32)).Heads, AttentionSpec.FromAttributes(new AttentionKernelAttribute(32)).KeyValueHeads));
        }

        [Theory]
        [InlineData(AttentionLayout.BatchSeqHeadDim)]
        [InlineData(AttentionLayout.BatchHeadSeqDim)]
        public void ComputeBatched_WithTheSpecsHeads_EqualsTheExplicitForm(AttentionLayout layout)
        {
            const int d = 8, heads = 4, keyValueHeads = 2, batch = 2, positions = 9;
            var spec = new AttentionSpec(d, causal: true, heads: heads, keyValueHeads: keyValueHeads, layout: layout);
            float[] query = TestData.Uniform(1, batch * heads * positions * d), key = TestData.Uniform(2, batch * keyValueHeads * positions * d);
            float[] value = TestData.Uniform(3, key.Length);
            int[] keyLengths = { 9, 4 };
            double[] fromSpec = new double[query.Length], explicitForm = new double[query.Length], otherLayout = new double[query.Length];
            ReferenceAttention.ComputeBatched(spec, batch, query, key, value, fromSpec, keyLengths: keyLengths);
            ReferenceAttention.ComputeBatched(spec, layout, heads, keyValueHeads, batch, query, key, value, explicitForm, keyLengths: keyLengths);
            Assert.Equal(explicitForm, fromSpec);

            // The layout really is read from the spec: the other one gives other numbers.
            AttentionLayout other = layout == AttentionLayout.BatchSeqHeadDim ? AttentionLayout.BatchHeadSeqDim : AttentionLayout.BatchSeqHeadDim;
            ReferenceAttention.ComputeBatched(spec, other, heads, keyValueHeads, batch, query, key, value, otherLayout, keyLengths: keyLengths);
            Assert.NotEqual(otherLayout, fromSpec);
        }
    }
}
