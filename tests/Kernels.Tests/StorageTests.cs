using System;
using System.Linq;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;
using static KernelGen.Tests.EngineTestSlots;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// 16-bit keys and values in the engine (issue 14, first piece): a call with Half or BFloat16 keys and values gives
    /// what the float path gives on the widened values: bit for bit on the prefill path (widened once, then tiles), within
    /// float rounding on the decode path (rows read in place, widened in registers, long rows in key chunks); 16-bit queries
    /// are widened exactly and a 16-bit output is the float output rounded to nearest even. Every mask part, run-time
    /// masks and every score modifier are on, and the inputs include NaN, infinities and subnormals.
    /// </summary>
    public sealed class StorageTests
    {
        private const int D = 37;

        [Theory]
        [InlineData(1, 1)]
        [InlineData(1, 3000)]
        [InlineData(2, 130)]
        [InlineData(3, 2100)]
        [InlineData(19, 19)]
        [InlineData(70, 100)]
        public void HalfKeysAndValues_EqualTheFloatPathOnTheWidenedValues(int queries, int keys)
        {
            var random = new Random(queries * 31 + keys);
            float[] query = TestData.Uniform(random.Next(), queries * D, 2f);
            Half[] key = Enumerable.Range(0, keys * D).Select(_ => (Half)(float)(random.NextDouble() * 4 - 2)).ToArray();
            Half[] value = Enumerable.Range(0, keys * D).Select(_ => (Half)(float)(random.NextDouble() * 2 - 1)).ToArray();
            value[0] = Half.Epsilon; // a subnormal
            key[1] = (Half)1e-6f;
            Check(query, key, value, queries, keys, random);
        }

        [Theory]
        [InlineData(1, 2100)]
        [InlineData(3, 65)]
        [InlineData(70, 100)]
        public void BFloat16KeysAndValues_EqualTheFloatPathOnTheWidenedValues(int queries, int keys)
        {
            var random = new Random(queries * 17 + keys);
            float[] query = TestData.Uniform(random.Next(), queries * D, 2f);
            BFloat16[] key = Enumerable.Range(0, keys * D).Select(_ => (BFloat16)(float)(random.NextDouble() * 4 - 2)).ToArray();
            BFloat16[] value = Enumerable.Range(0, keys * D).Select(_ => (BFloat16)(float)(random.NextDouble() * 2 - 1)).ToArray();
            Check(query, key, value, queries, keys, random);
        }

        /// <summary>
        /// A decode step's fused 16-bit loops on every column loop (d = 61: 48 columns as split even/odd pairs, then 8 in
        /// order, then 5 scalars; d = 64: pairs only) and every key loop (4 keys at a time and the left-over keys), subnormal
        /// and signed f16 values, and f16 queries of magnitude 2^16 and more, which take the widening route (2^112 times
        /// such a query overflows): within float rounding of the float path on the widened values.
        /// </summary>
        [Theory]
        [InlineData(61, 1f)]
        [InlineData(61, 70000f)]
        [InlineData(64, 1f)]
        [InlineData(64, 3e5f)]
        public void DecodeOf16BitRows_EveryColumnLoop_EqualsTheFloatPath(int d, float queryScale)
        {
            if (d == 61)
            {
                Decode<D61>(queryScale);
            }
            else
            {
                Decode<D64>(queryScale);
            }
        }

        private static void Decode<TDim>(float queryScale)
            where TDim : struct, IConstant
        {
            int d = TDim.Value, keys = 131; // two whole blocks and 3 keys: the 4-key loop and the one-key tail
            var random = new Random(d + (int)queryScale);
            float[] query = TestData.Uniform(random.Next(), 2 * d, 1f);
            query[3] = queryScale; // one large element in each of two query rows; the rest keeps scores moderate
            query[d + 17] = -queryScale;
            float[] keySource = Enumerable.Range(0, keys * d).Select(_ => (float)(random.NextDouble() * 4 - 2) / Math.Max(1f, queryScale)).ToArray();
            float[] valueSource = Enumerable.Range(0, keys * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            valueSource[5] = 3e-6f;   // f16 subnormals, one negative, in even and odd columns
            valueSource[d + 6] = -4e-7f;
            keySource[2 * d + 9] = 2e-6f;
            DecodeCase<TDim, Half>(query, keySource, valueSource, keys);
            DecodeCase<TDim, BFloat16>(query, keySource, valueSource, keys);
        }

        /// <summary>
        /// A decode step over f16 rows whose blocks hold an infinity or a NaN where nothing masks them (d = 64 and 128: on
        /// AVX-512 the loops read f16 rows as finite and test them in their own loads): a key of -inf in a column the
        /// query weighs positively drops that key, an infinite and a NaN value reach their columns, exactly as on the
        /// float path over the widened values; the blocks around them stay within float rounding.
        /// </summary>
        [Theory]
        [InlineData(64)]
        [InlineData(128)]
        public void DecodeOfHalfRows_InfinityOrNaNInAnUnmaskedBlock_EqualsTheFloatPath(int d)
        {
            if (d == 64)
            {
                NonFiniteDecode<D64>();
            }
            else
            {
                NonFiniteDecode<D128>();
            }
        }

        private static void NonFiniteDecode<TDim>()
            where TDim : struct, IConstant
        {
            int d = TDim.Value, keys = 200; // blocks 0-63, 64-127, 128-191 and a tail of 8
            var random = new Random(25 + d);
            float[] query = TestData.Uniform(random.Next(), 2 * d, 1f);
            query[3] = 0.5f; // both rows weigh column 3 positively: key 10's -inf there makes its score -inf
            query[d + 3] = 0.25f;
            float[] keySource = TestData.Uniform(random.Next(), keys * d, 1f), valueSource = TestData.Uniform(random.Next(), keys * d, 1f);
            keySource[10 * d + 3] = float.NegativeInfinity;
            valueSource[70 * d + 33] = float.PositiveInfinity; // block 1: column 33 of the output is +inf
            valueSource[150 * d + d - 2] = float.NaN;          // block 2: the last strip's column d - 2 is NaN
            Half[] key = new Half[keySource.Length], value = new Half[valueSource.Length];
            ElementTypes.Narrow<Half>(keySource, key);
            ElementTypes.Narrow<Half>(valueSource, value);
            float[] keyWide = new float[key.Length], valueWide = new float[value.Length];
            ElementTypes.Widen<Half>(key, keyWide);
            ElementTypes.Widen<Half>(value, valueWide);
            float[] expected = new float[2 * d], actual = new float[2 * d], expectedLse = new float[2], actualLse = new float[2];
            AttentionEngine<TestPath<TDim, Zero>, NoMask, IdentityScore>.Compute(query, keyWide, valueWide, expected, expectedLse, default, default);
            AttentionEngine<TestPath<TDim, Zero>, NoMask, IdentityScore>.Compute<float, Half, float>(query, key, value, actual, actualLse, default, default);
            Assert.True(float.IsPositiveInfinity(expected[33]) && float.IsNaN(expected[d - 2]) && float.IsFinite(expected[0]), "the float path's own outcome");
            AssertSame(expected, actual, exact: false, 0, $"Half d = {d} output");
            AssertSame(expectedLse, actualLse, exact: false, 0, $"Half d = {d} log-sum-exp");
        }

        private static void DecodeCase<TDim, T>(float[] query, float[] keySource, float[] valueSource, int keys)
            where TDim : struct, IConstant
            where T : unmanaged
        {
            int d = TDim.Value;
            T[] key = new T[keySource.Length], value = new T[valueSource.Length];
            ElementTypes.Narrow<T>(keySource, key);
            ElementTypes.Narrow<T>(valueSource, value);
            float[] keyWide = new float[key.Length], valueWide = new float[value.Length];
            ElementTypes.Widen<T>(key, keyWide);
            ElementTypes.Widen<T>(value, valueWide);
            Assert.Contains(valueWide, v => v != 0 && Math.Abs(v) < 6.1e-5f); // the subnormals survived the narrowing (f16) or are normal (bf16)
            var scores = new ScoreArguments { Scale = 0.25f };
            float[] expected = new float[2 * d], actual = new float[2 * d], expectedLse = new float[2], actualLse = new float[2];
            // Two query rows (below the 4 that make a prefill): each row reads the 16-bit rows in place.
            AttentionEngine<TestPath<TDim, Zero>, NoMask, IdentityScore>.Compute(query, keyWide, valueWide, expected, expectedLse, default, scores);
            AttentionEngine<TestPath<TDim, Zero>, NoMask, IdentityScore>.Compute<float, T, float>(query, key, value, actual, actualLse, default, scores);
            AssertSame(expected, actual, exact: false, 0, $"{typeof(T).Name} d = {d} output");
            AssertSame(expectedLse, actualLse, exact: false, 0, $"{typeof(T).Name} d = {d} log-sum-exp");
        }

        private static void Check<T>(float[] query, T[] key, T[] value, int queries, int keys, Random random)
            where T : unmanaged
        {
            // A dropped key with a NaN value and an infinite key: the masks must keep them out exactly as for floats.
            bool[] keyMask = Enumerable.Range(0, keys).Select(j => j != keys - 1 && (j < 16 || random.NextDouble() < 0.8)).ToArray();
            bool[] mask = Enumerable.Range(0, queries * keys).Select(_ => random.NextDouble() < 0.9).ToArray();
            float[] bias = Enumerable.Range(0, queries * keys).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            T[] nan = new T[D];
            ElementTypes.Narrow<T>(Enumerable.Repeat(float.NaN, D).ToArray(), nan);
            nan.CopyTo(value, (keys - 1) * D); // the last key is dropped: its NaN value must never reach the output
            float[] keyWide = new float[key.Length], valueWide = new float[value.Length];
            ElementTypes.Widen<T>(key, keyWide);
            ElementTypes.Widen<T>(value, valueWide);
            var scores = new ScoreArguments { Scale = 0.5f, AlibiSlope = 0.01f, Bias = bias, BiasStride = keys, HasSink = true, Sink = 0.3f };
            var masks = new RuntimeMasks(keyMask, mask, keys);

            foreach (int rowTile in new[] { 4, 0 })
            {
                float[] expected = new float[queries * D], expectedLse = new float[queries], actual = new float[queries * D], actualLse = new float[queries];
                if (rowTile == 4)
                {
                    AttentionEngine<TestPath<D37, Four>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(query, keyWide, valueWide, expected, expectedLse, masks, scores);
                    AttentionEngine<TestPath<D37, Four>, EveryPartMask, ModifiedScore<EveryScore>>.Compute<float, T, float>(query, key, value, actual, actualLse, masks, scores);
                }
                else
                {
                    AttentionEngine<TestPath<D37, Zero>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(query, keyWide, valueWide, expected, expectedLse, masks, scores);
                    AttentionEngine<TestPath<D37, Zero>, EveryPartMask, ModifiedScore<EveryScore>>.Compute<float, T, float>(query, key, value, actual, actualLse, masks, scores);
                }

                // A prefill (4 rows or more) widens once and runs the float loops: bit for bit the float result. A decode
                // step reads the 16-bit rows in place with the engine's fused loops: the same arithmetic in another
                // summation order, so within float rounding.
                bool widenedOnce = queries >= 4;
                AssertSame(expected, actual, widenedOnce, 0, "output");
                AssertSame(expectedLse, actualLse, widenedOnce, 0, "log-sum-exp");

                // 16-bit query and output: the query widened exactly, the output rounded once from the float result.
                T[] narrowQuery = new T[query.Length], narrowOutput = new T[expected.Length], expectedNarrow = new T[expected.Length];
                ElementTypes.Narrow<T>(query, narrowQuery);
                float[] queryWide = new float[query.Length];
                ElementTypes.Widen<T>(narrowQuery, queryWide);
                AttentionEngine<TestPath<D37, Four>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(queryWide, keyWide, valueWide, expected, expectedLse, masks, scores);
                ElementTypes.Narrow<T>(expected, expectedNarrow);
                AttentionEngine<TestPath<D37, Four>, EveryPartMask, ModifiedScore<EveryScore>>.Compute<T, T, T>(narrowQuery, key, value, narrowOutput, actualLse, masks, scores);
                float[] narrowWide = new float[narrowOutput.Length], expectedNarrowWide = new float[expectedNarrow.Length];
                ElementTypes.Widen<T>(narrowOutput, narrowWide);
                ElementTypes.Widen<T>(expectedNarrow, expectedNarrowWide);
                AssertSame(expectedNarrowWide, narrowWide, widenedOnce, typeof(T) == typeof(Half) ? 1.0 / 1024 : 1.0 / 128, "16-bit output");
            }
        }

        /// <summary>Bit for bit, or within 2e-5 plus <paramref name="rounding"/> (one 16-bit step, relative) when the order of sums differs.</summary>
        private static void AssertSame(float[] expected, float[] actual, bool exact, double rounding, string what)
        {
            if (exact)
            {
                Assert.Equal(expected, actual);
                return;
            }

            for (int i = 0; i < expected.Length; i++)
            {
                bool same = expected[i].Equals(actual[i]) || Math.Abs(actual[i] - expected[i]) <= 2e-5 * Math.Max(1, Math.Abs(expected[i])) + rounding * Math.Abs(expected[i]);
                Assert.True(same, $"{what} [{i}]: {actual[i]}, expected {expected[i]}");
            }
        }

        [Theory]
        [InlineData(1, 1)]
        [InlineData(1, 2100)]
        [InlineData(3, 70)]
        [InlineData(65, 100)]
        [InlineData(100, 65)]
        public void GeneratedKernels_With16BitSpans_MatchTheReferenceOnTheWidenedInputs(int queries, int keys)
        {
            var random = new Random(queries + 7 * keys);

            // Half keys and values, float query and output, causal, d = 128.
            float[] query = TestData.Uniform(random.Next(), queries * 128, 2f);
            Half[] key = RandomHalves(random, keys * 128, 2f), value = RandomHalves(random, keys * 128, 1f);
            float[] output = TestData.Poisoned(queries * 128);
            StorageKernels.HalfCache_Causal128(query, key, value, output);
            (double[] expected, float[] plain) = Reference(new AttentionSpec(128, causal: true), query, Widened(key), Widened(value), default);
            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, $"Half cache: {measure.Problem}");

            // Everything BFloat16, causal window with globals, d = 64: the output rounded once.
            BFloat16[] q16 = RandomBFloat16(random, queries * 64, 2f), k16 = RandomBFloat16(random, keys * 64, 2f), v16 = RandomBFloat16(random, keys * 64, 1f);
            BFloat16[] o16 = new BFloat16[queries * 64];
            StorageKernels.BFloat16All_CausalWindowGlobals64(q16, k16, v16, o16);
            (expected, plain) = Reference(new AttentionSpec(64, causal: true, window: new AttentionWindow(40, 0), globalPositions: new[] { 0, 3 }), Widened(q16), Widened(k16), Widened(v16), default);
            AssertRoundedWithin(Widened(o16), expected, plain, static x => (float)(BFloat16)x, "BFloat16");

            // Everything Half, softcap 2 and a run-time scale, d = 37 (narrower remainder columns).
            Half[] qh = RandomHalves(random, queries * 37, 2f), kh = RandomHalves(random, keys * 37, 2f), vh = RandomHalves(random, keys * 37, 1f);
            Half[] oh = new Half[queries * 37];
            StorageKernels.HalfAll_SoftcapScale37(qh, kh, vh, oh, 0.4f);
            (expected, plain) = Reference(new AttentionSpec(37, softcap: 2f), Widened(qh), Widened(kh), Widened(vh), 0.4f);
            AssertRoundedWithin(Widened(oh), expected, plain, static x => (float)(Half)x, "Half");
        }

        [Fact]
        public void SixteenBitKernel_RejectsBadLengthsAndOverlap_BeforeAnyWrite()
        {
            Half[] buffer = new Half[10 * 37];
            Half[] output = Enumerable.Repeat(Half.NaN, 2 * 37).ToArray(); // poisoned: any write would show
            var overlap = Assert.ThrowsAny<ArgumentException>(() => StorageKernels.HalfAll_SoftcapScale37(buffer.AsSpan(0, 2 * 37), buffer.AsSpan(2 * 37, 3 * 37),
                buffer.AsSpan(5 * 37, 3 * 37), buffer.AsSpan(6 * 37, 2 * 37), 1f));
            Assert.Equal("output", overlap.ParamName);
            var length = Assert.ThrowsAny<ArgumentException>(() => StorageKernels.HalfAll_SoftcapScale37(new Half[37], new Half[37 * 3], new Half[37 * 2], output, 1f));
            Assert.Equal("value", length.ParamName);
            Assert.All(output, static x => Assert.True(Half.IsNaN(x)));
        }

        /// <summary>The double reference and the plain float32 twin on the same (widened) inputs.</summary>
        private static (double[] Expected, float[] Plain) Reference(AttentionSpec spec, float[] query, float[] key, float[] value, float scale)
        {
            double[] expected = new double[query.Length];
            float[] plain = new float[query.Length];
            ReferenceAttention.Compute(spec, query, key, value, expected, Span<double>.Empty, new ScoreArguments { Scale = scale });
            PlainFloatAttention.Compute(spec, query, key, value, plain, default, new ScoreArguments { Scale = scale });
            return (expected, plain);
        }

        /// <summary>
        /// Each 16-bit output lies between the 16-bit roundings of reference -+ the allowed error of the accuracy criterion
        /// (twice the plain float32 twin's max error plus the slack).
        /// </summary>
        private static void AssertRoundedWithin(float[] actual, double[] expected, float[] plain, Func<float, float> round, string what)
        {
            Accuracy.Measure measure = Accuracy.CheckRounded(actual, expected, plain, round);
            Assert.True(measure.Problem is null, $"{what}: {measure.Problem}");
        }

        private static Half[] RandomHalves(Random random, int length, float bound) =>
            Enumerable.Range(0, length).Select(_ => (Half)(float)((random.NextDouble() * 2 - 1) * bound)).ToArray();

        private static BFloat16[] RandomBFloat16(Random random, int length, float bound) =>
            Enumerable.Range(0, length).Select(_ => (BFloat16)(float)((random.NextDouble() * 2 - 1) * bound)).ToArray();

        private static float[] Widened<T>(T[] values)
            where T : unmanaged
        {
            float[] wide = new float[values.Length];
            ElementTypes.Widen<T>(values, wide);
            return wide;
        }
    }
}
