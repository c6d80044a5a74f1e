using System;
using System.Linq;
using System.Runtime.InteropServices;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The reference's q8_0 overloads: exactly the float definition over the query quantised and dequantised per 32
    /// columns and the keys and values dequantised, each done by hand here (ggml's rule transcribed in
    /// <see cref="GgmlQ8_0"/>), for every overload.
    /// </summary>
    public sealed class ReferenceQ8_0Tests
    {
        private const int D = 64, Queries = 5, Keys = 23;

        private static readonly AttentionSpec Spec = new(D, causal: true, window: new AttentionWindow(9, 0), globalPositions: new[] { 0 }, softcap: 20f);

        private static BlockQ8_0[] Quantized(float[] values)
        {
            var blocks = new BlockQ8_0[values.Length / 32];
            Q8_0.Quantize(values, blocks);
            return blocks;
        }

        /// <summary>By hand: each value q x (float)scale.</summary>
        private static float[] ByHand(BlockQ8_0[] blocks) =>
            blocks.SelectMany(static b => b.Values.ToArray().Select(q => q * (float)b.Scale)).ToArray();

        /// <summary>The query as a q8_0 kernel scores with it, through the transcription of ggml's quantiser.</summary>
        private static float[] QueryByHand(float[] query) => GgmlQ8_0.Dequantize(GgmlQ8_0.Quantize(query));

        [Fact]
        public void Compute_EqualsTheFloatReferenceOnDequantisedValues()
        {
            float[] query = TestData.Uniform(1, Queries * D, 2f);
            BlockQ8_0[] key = Quantized(TestData.Uniform(2, Keys * D, 2f)), value = Quantized(TestData.Uniform(3, Keys * D));
            double[] actual = new double[Queries * D], expected = new double[Queries * D];
            ReferenceAttention.Compute(Spec, query, key, value, actual);
            ReferenceAttention.Compute(Spec, QueryByHand(query), ByHand(key), ByHand(value), expected);
            Assert.Equal(expected, actual);

            // The query really is quantised: the float query gives other numbers.
            ReferenceAttention.Compute(Spec, query, ByHand(key), ByHand(value), expected);
            Assert.NotEqual(expected, actual);
        }

        [Fact]
        public void LogSumExpScoresAndFloatOutputForms_EqualTheFloatReferenceOnDequantisedValues()
        {
            float[] query = TestData.Uniform(4, Queries * D, 2f);
            BlockQ8_0[] key = Quantized(TestData.Uniform(5, Keys * D, 2f)), value = Quantized(TestData.Uniform(6, Keys * D));
            float[] q = QueryByHand(query), k = ByHand(key), v = ByHand(value);
            var scores = new ScoreArguments { Scale = 0.3f, HasSink = true, Sink = 0.5f };

            double[] actual = new double[Queries * D], expected = new double[Queries * D], actualLse = new double[Queries], expectedLse = new double[Queries];
            ReferenceAttention.Compute(Spec, query, key, value, actual, actualLse, scores);
            ReferenceAttention.Compute(Spec, q, k, v, expected, expectedLse, scores);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedLse, actualLse);

            ReferenceAttention.Compute(Spec, query, key, value, actual, actualLse);
            ReferenceAttention.Compute(Spec, q, k, v, expected, expectedLse);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedLse, actualLse);

            float[] actualFloat = new float[Queries * D], expectedFloat = new float[Queries * D];
            ReferenceAttention.Compute(Spec, query, key, value, actualFloat);
            ReferenceAttention.Compute(Spec, q, k, v, expectedFloat);
            Assert.Equal(expectedFloat, actualFloat);
        }

        [Theory]
        [InlineData(AttentionLayout.BatchHeadSeqDim)]
        [InlineData(AttentionLayout.BatchSeqHeadDim)]
        public void ComputeBatched_BothForms_EqualTheFloatReferenceOnDequantisedValues(AttentionLayout layout)
        {
            const int heads = 4, keyValueHeads = 2, batch = 2, queries = 3, keys = 9, d = 32;
            var spec = new AttentionSpec(d, causal: true, heads: heads, keyValueHeads: keyValueHeads, layout: layout);
            float[] query = TestData.Uniform(7, batch * heads * queries * d, 2f);
            BlockQ8_0[] key = Quantized(TestData.Uniform(8, batch * keyValueHeads * keys * d, 2f)), value = Quantized(TestData.Uniform(9, batch * keyValueHeads * keys * d));
            int[] keyLengths = { 9, 4 };
            double[] actual = new double[query.Length], explicitForm = new double[query.Length], expected = new double[query.Length];
            double[] actualLse = new double[batch * heads * queries], expectedLse = new double[batch * heads * queries];
            ReferenceAttention.ComputeBatched(spec, batch, query, key, value, actual, keyLengths: keyLengths, logSumExp: actualLse, sinks: new[] { 0.1f, 0.2f, 0.3f, 0.4f });
            ReferenceAttention.ComputeBatched(spec, batch, QueryByHand(query), ByHand(key), ByHand(value), expected, keyLengths: keyLengths, logSumExp: expectedLse,
                sinks: new[] { 0.1f, 0.2f, 0.3f, 0.4f });
            ReferenceAttention.ComputeBatched(spec, layout, heads, keyValueHeads, batch, query, key, value, explicitForm, keyLengths: keyLengths, sinks: new[] { 0.1f, 0.2f, 0.3f, 0.4f });
            Assert.Equal(expected, actual);
            Assert.Equal(expectedLse, actualLse);
            Assert.Equal(expected, explicitForm);
        }

        [Fact]
        public void HeadDimensionNotAMultipleOf32_IsRefusedNamingTheSpec()
        {
            var spec = new AttentionSpec(48);
            float[] query = new float[48];
            BlockQ8_0[] rows = new BlockQ8_0[3];
            double[] output = new double[48];
            Assert.Equal("spec", Assert.Throws<ArgumentException>(() => ReferenceAttention.Compute(spec, query, rows, rows, output)).ParamName);
            Assert.Equal("spec", Assert.Throws<ArgumentException>(() => ReferenceAttention.ComputeBatched(spec, 1, query, rows, rows, output)).ParamName);
            Assert.Equal("spec", Assert.Throws<ArgumentException>(() => ReferenceAttention.Compute(spec, query, rows, rows, new float[48])).ParamName);
        }

        [Theory]
        [InlineData(D + 32, 4, 4, "query")]
        [InlineData(D, 3, 4, "key")]
        [InlineData(D, 4, 5, "value")]
        [InlineData(D, 4, 2, "value")]
        public void PartialRows_AreRefusedNamingTheParameter(int queryValues, int keyBlocks, int valueBlocks, string parameter)
        {
            var exception = Assert.Throws<ArgumentException>(() =>
                ReferenceAttention.Compute(Spec, new float[queryValues], new BlockQ8_0[keyBlocks], new BlockQ8_0[valueBlocks], new double[queryValues]));
            Assert.Equal(parameter, exception.ParamName);
        }

        [Fact]
        public void KeyBlocksCountRows_AsDOver32BlocksEach()
        {
            // 2 rows of 64 values are 4 blocks each for key and value; the result is the float reference's on 2 keys.
            float[] query = TestData.Uniform(10, D, 1f);
            BlockQ8_0[] key = Quantized(TestData.Uniform(11, 2 * D)), value = Quantized(TestData.Uniform(12, 2 * D));
            Assert.Equal(4, key.Length);
            double[] actual = new double[D], expected = new double[D];
            ReferenceAttention.Compute(new AttentionSpec(D), query, key, value, actual);
            ReferenceAttention.Compute(new AttentionSpec(D), QueryByHand(query), ByHand(key), ByHand(value), expected);
            Assert.Equal(expected, actual);
            Assert.Equal(4 * BlockQ8_0.ByteCount, MemoryMarshal.AsBytes(key.AsSpan()).Length);
        }
    }
}
