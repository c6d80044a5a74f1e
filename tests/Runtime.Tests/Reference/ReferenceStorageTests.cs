using System;
using System.Linq;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The reference's Half and BFloat16 overloads: exactly the float definition on the values widened by hand (bit for
    /// bit, since widening is exact and the computation is the same), for every pairing of query and key/value types.
    /// </summary>
    public sealed class ReferenceStorageTests
    {
        private const int D = 24, Queries = 7, Keys = 19;

        private static readonly AttentionSpec Spec = new(D, causal: true, window: new AttentionWindow(6, 0), globalPositions: new[] { 0 }, softcap: 20f);

        /// <summary>By hand: f16 through the IEEE conversion, bf16 as the upper half of a float's bits.</summary>
        private static float Wide(Half value) => (float)value;

        private static float Wide(BFloat16 value) => BitConverter.Int32BitsToSingle(value.Bits << 16);

        private static Half[] Halves(float[] values) => values.Select(static v => (Half)v).ToArray();

        private static BFloat16[] Brains(float[] values) => values.Select(static v => (BFloat16)v).ToArray();

        [Fact]
        public void HalfQueryKeysAndValues_EqualTheFloatReferenceOnTheWidenedValues()
        {
            Half[] query = Halves(TestData.Uniform(1, Queries * D, 2f)), key = Halves(TestData.Uniform(2, Keys * D, 2f)), value = Halves(TestData.Uniform(3, Keys * D));
            query[0] = Half.Epsilon; // a subnormal, widened exactly
            double[] actual = new double[Queries * D], expected = new double[Queries * D];
            ReferenceAttention.Compute(Spec, query, key, value, actual);
            ReferenceAttention.Compute(Spec, query.Select(Wide).ToArray(), key.Select(Wide).ToArray(), value.Select(Wide).ToArray(), expected);
            Assert.Equal(expected, actual);
        }

        [Fact]
        public void FloatQuery_BFloat16KeysAndValues_EqualTheFloatReferenceOnTheWidenedValues()
        {
            float[] query = TestData.Uniform(4, Queries * D, 2f);
            BFloat16[] key = Brains(TestData.Uniform(5, Keys * D, 2f)), value = Brains(TestData.Uniform(6, Keys * D));
            double[] actual = new double[Queries * D], expected = new double[Queries * D], actualLse = new double[Queries], expectedLse = new double[Queries];
            var scores = new ScoreArguments { Scale = 0.3f, HasSink = true, Sink = 0.5f };
            ReferenceAttention.Compute(Spec, query, key, value, actual, actualLse, scores);
            ReferenceAttention.Compute(Spec, query, key.Select(Wide).ToArray(), value.Select(Wide).ToArray(), expected, expectedLse, scores);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedLse, actualLse);

            // The keys really are read as bf16: the same bits read as f16 are other numbers.
            Half[] reinterpreted = key.Select(static k => BitConverter.UInt16BitsToHalf(k.Bits)).ToArray();
            ReferenceAttention.Compute(Spec, query, reinterpreted, reinterpreted, actual);
            Assert.NotEqual(expected, actual);
        }

        [Fact]
        public void BFloat16Query_HalfKeysAndValues_Batched_EqualTheFloatReferenceOnTheWidenedValues()
        {
            const int heads = 4, keyValueHeads = 2, batch = 2;
            var spec = new AttentionSpec(8, causal: true, heads: heads, keyValueHeads: keyValueHeads, layout: AttentionLayout.BatchHeadSeqDim);
            BFloat16[] query = Brains(TestData.Uniform(7, batch * heads * 5 * 8, 2f));
            Half[] key = Halves(TestData.Uniform(8, batch * keyValueHeads * 9 * 8, 2f)), value = Halves(TestData.Uniform(9, key.Length));
            int[] keyLengths = { 9, 3 };
            double[] actual = new double[query.Length], expected = new double[query.Length], explicitForm = new double[query.Length];
            ReferenceAttention.ComputeBatched(spec, batch, query, key, value, actual, keyLengths: keyLengths);
            ReferenceAttention.ComputeBatched(spec, batch, query.Select(Wide).ToArray(), key.Select(Wide).ToArray(), value.Select(Wide).ToArray(), expected, keyLengths: keyLengths);
            ReferenceAttention.ComputeBatched(spec, spec.Layout, heads, keyValueHeads, batch, query, key, value, explicitForm, keyLengths: keyLengths);
            Assert.Equal(expected, actual);
            Assert.Equal(expected, explicitForm);
        }

        [Fact]
        public void FloatSpans_StillTakeTheFloatOverloads()
        {
            // Overload resolution: a float call binds the non-generic overload (the generic one would give the same numbers,
            // so this checks the call compiles unambiguously and that the float path is unchanged).
            float[] query = TestData.Uniform(10, Queries * D), key = TestData.Uniform(11, Keys * D), value = TestData.Uniform(12, Keys * D);
            double[] viaArrays = new double[Queries * D], viaGeneric = new double[Queries * D];
            ReferenceAttention.Compute(Spec, query, key, value, viaArrays);
            ReferenceAttention.Compute<float, float>(Spec, query, key, value, viaGeneric);
            Assert.Equal(viaArrays, viaGeneric);
        }

        [Fact]
        public void OtherElementTypes_AreRefused()
        {
            var spec = new AttentionSpec(2);
            Assert.Contains("query", Assert.Throws<NotSupportedException>(() => ReferenceAttention.Compute<double, float>(spec, new double[2], new float[2], new float[2], new double[2])).Message);
            Assert.Contains("key", Assert.Throws<NotSupportedException>(() => ReferenceAttention.Compute<float, int>(spec, new float[2], new int[2], new int[2], new double[2])).Message);
        }
    }
}
