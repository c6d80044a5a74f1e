using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;
using static KernelGen.Tests.TestData;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// Batched kernels with 16-bit spans (issue 14) against <c>ReferenceAttention.ComputeBatched</c> on the widened
    /// inputs: grouped-query heads in both layouts (the [B, N, H, d] rows read in place through strides), packed items,
    /// decode shapes (the group path that shares each key chunk across a group's heads) and prefill shapes, long rows that
    /// span several shared chunks, B in {1, 3}, padding keys and dropped keys holding NaN or infinity. Float outputs must meet
    /// <see cref="Accuracy"/>'s criterion; a 16-bit output must lie between the 16-bit roundings of reference -+ its allowed error.
    /// </summary>
    [Collection(ProcessWideThreadSetting.Name)]
    public sealed class BatchedStorageTests
    {
        private static readonly (int Queries, int Keys)[] Shapes = { (1, 1), (1, 300), (3, 200), (2, 2100), (17, 17), (65, 100), (100, 65) };

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void HalfCache_Gqa_StridedRows_MatchReference(int batch)
        {
            const int D = 64, H = 8, Kv = 2;
            var spec = new AttentionSpec(D, causal: true, window: new AttentionWindow(40, 0), globalPositions: new[] { 0, 3 });
            foreach ((int queries, int keys) in Shapes)
            {
                var random = new Random(batch * 100 + queries * 7 + keys);
                int[] keyLengths = Lengths(random, batch, keys), queryLengths = Lengths(random, batch, queries);
                float[] query = TestData.Uniform(random.Next(), batch * queries * H * D, 2f);
                float[] key = Rounded<Half>(TestData.Uniform(random.Next(), batch * keys * Kv * D, 2f));
                float[] value = Rounded<Half>(TestData.Uniform(random.Next(), key.Length));
                PoisonPadding(key, value, AttentionLayout.BatchSeqHeadDim, D, Kv, batch, keys, keyLengths);
                float[] output = TestData.Poisoned(query.Length), logSumExp = TestData.Poisoned(batch * H * queries);
                float[] oneThread = TestData.Poisoned(query.Length);
                int saved = AttentionThreading.MaxDegreeOfParallelism;
                try
                {
                    // One thread: a [B, N, H, d] decode call takes both key/value heads; two: one each when B = 1. Same bits.
                    AttentionThreading.MaxDegreeOfParallelism = 1;
                    BatchedStorageKernels.HalfCache_Gqa8x2_CausalWindowGlobals(query, Narrow<Half>(key), Narrow<Half>(value), oneThread, batch, keyLengths, queryLengths,
                        TestData.Poisoned(logSumExp.Length));
                    AttentionThreading.MaxDegreeOfParallelism = 2;
                    BatchedStorageKernels.HalfCache_Gqa8x2_CausalWindowGlobals(query, Narrow<Half>(key), Narrow<Half>(value), output, batch, keyLengths, queryLengths, logSumExp);
                }
                finally
                {
                    AttentionThreading.MaxDegreeOfParallelism = saved;
                }

                Assert.Equal(oneThread, output);

                double[] expected = new double[query.Length], expectedLse = new double[logSumExp.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, expected, keyLengths, queryLengths,
                    logSumExp: expectedLse);
                float[] plain = new float[expected.Length];
                float[] plainLse = new float[expectedLse.Length];
                PlainFloatAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, plain, keyLengths, queryLengths,
                    logSumExp: plainLse);
                string shape = $"B={batch} Nq={queries} Nk={keys}";
                AssertClose(output, expected, plain, shape);
                AssertClose(logSumExp, expectedLse, plainLse, shape + " log-sum-exp");
            }
        }

        /// <summary>
        /// The grouped decode tiles with split loads (bf16 and finite f16 rows; see the kernels): every column loop, one and
        /// two 4-row tiles per key/value head, decode rows of 1 to 3 queries over 1 to 300 keys (odd counts: a lone last
        /// key; several blocks: the next block's prefetch), signed subnormal f16 values, and an f16 query element of 2^16
        /// or more in one key/value head's group only (2^112 times it overflows: that head scores without split loads, the
        /// other with). One thread (a [B, N, H, d] call takes both key/value heads) and two (one each when B = 1) must give
        /// the same bits, and both the reference's values.
        /// </summary>
        [Theory]
        [InlineData(1, 1f)]
        [InlineData(2, 1f)]
        [InlineData(1, 70000f)]
        [InlineData(3, 70000f)]
        public void SixteenBitGqaDecode_SplitLoads_MatchReference_OnOneAndTwoThreads(int batch, float largeQuery)
        {
            foreach ((int queries, int keys) in new[] { (1, 1), (1, 300), (3, 131), (2, 64) })
            {
                var random = new Random(batch * 31 + queries * 7 + keys);
                foreach (int kernel in new[] { 0, 1, 2 })
                {
                    (int d, int h, AttentionLayout layout) = kernel switch
                    {
                        0 => (61, 8, AttentionLayout.BatchHeadSeqDim),
                        1 => (64, 16, AttentionLayout.BatchSeqHeadDim),
                        _ => (64, 8, AttentionLayout.BatchSeqHeadDim),
                    };
                    const int Kv = 2;
                    bool half = kernel != 1;
                    float[] query = TestData.Uniform(random.Next(), batch * queries * h * d, 2f);
                    // The large element goes to query head 0 of item 0's first row: key/value head 0's group, whichever layout.
                    query[5] = largeQuery;
                    float keyScale = 1f / largeQuery;
                    float[] key = TestData.Uniform(random.Next(), batch * keys * Kv * d, 2f).Select(x => x * keyScale).ToArray();
                    float[] value = TestData.Uniform(random.Next(), key.Length);
                    value[0] = 3e-6f; // f16 subnormals in an even and an odd column
                    value[Math.Min(value.Length - 1, 7)] = -4e-7f;
                    key = half ? Rounded<Half>(key) : Rounded<BFloat16>(key);
                    value = half ? Rounded<Half>(value) : Rounded<BFloat16>(value);
                    string shape = $"kernel {kernel} (d={d}, {(half ? "f16" : "bf16")}) B={batch} Nq={queries} Nk={keys} query {largeQuery}";
                    float[] oneThread = Run(kernel, query, key, value, batch, threads: 1), twoThreads = Run(kernel, query, key, value, batch, threads: 2);
                    Assert.True(oneThread.AsSpan().SequenceEqual(twoThreads), shape + ": one and two threads differ");

                    double[] expected = new double[query.Length];
                    ReferenceAttention.ComputeBatched(new AttentionSpec(d, causal: true), layout, h, Kv, batch, query, key, value, expected, default, default);
                    float[] plain = new float[expected.Length];
                    PlainFloatAttention.ComputeBatched(new AttentionSpec(d, causal: true), layout, h, Kv, batch, query, key, value, plain, default, default);
                    AssertClose(twoThreads, expected, plain, shape);
                }
            }
        }

        /// <summary>
        /// The grouped decode's in-place value tile gives the same bits whatever the rows: float32 d apart ([B, H, N, d]) and
        /// further apart ([B, N, H, d], through the stride), bf16 and f16 with split loads (deinterleaved sums and, for f16,
        /// the weights times 2^112). Queries and keys are -1, 0 or 1, so every score is exact whatever the order of its sums
        /// (the split score loops add columns in another order) and the four kernels see the same weights; values are bf16
        /// roundings that f16 holds exactly, so all four read the same numbers. Blocks of 64 keys with none masked.
        /// </summary>
        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void GqaDecode_InPlaceValueTile_SameBitsForEveryLayoutAndElementType(int batch)
        {
            const int D = 64, H = 8, Kv = 2;
            foreach ((int queries, int keys) in new[] { (1, 300), (2, 130), (1, 64) })
            {
                var random = new Random(batch * 1000 + keys);
                float[] query = Enumerable.Range(0, batch * queries * H * D).Select(_ => (float)random.Next(-1, 2)).ToArray();
                float[] key = Enumerable.Range(0, batch * keys * Kv * D).Select(_ => (float)random.Next(-1, 2)).ToArray();
                float[] value = Rounded<BFloat16>(TestData.Uniform(random.Next(), key.Length)).Select(x => Math.Abs(x) < 1f / 16384 ? 0f : x).ToArray();
                Assert.Equal(value, Rounded<Half>(value)); // the same numbers in f16

                float[] strided = TestData.Poisoned(query.Length), contiguous = TestData.Poisoned(query.Length);
                float[] bf16 = TestData.Poisoned(query.Length), f16 = TestData.Poisoned(query.Length);
                BatchedStorageKernels.Float_Gqa8x2_D64(query, key, value, strided, batch);
                BatchedStorageKernels.BFloat16Cache_Gqa8x2_D64(query, Narrow<BFloat16>(key), Narrow<BFloat16>(value), bf16, batch);
                BatchedStorageKernels.HalfCache_Gqa8x2_D64(query, Narrow<Half>(key), Narrow<Half>(value), f16, batch);
                BatchedStorageKernels.Float_Gqa8x2_Bhsd_D64(Transpose(query, batch, queries, H, D, true), Transpose(key, batch, keys, Kv, D, true),
                    Transpose(value, batch, keys, Kv, D, true), contiguous, batch);
                contiguous = Transpose(contiguous, batch, queries, H, D, false);

                string shape = $"B={batch} Nq={queries} Nk={keys}";
                Assert.True(strided.AsSpan().SequenceEqual(contiguous), shape + ": float32 [B, N, H, d] differs from [B, H, N, d]");
                Assert.True(bf16.AsSpan().SequenceEqual(contiguous), shape + ": the bf16 cache differs from float32");
                Assert.True(f16.AsSpan().SequenceEqual(contiguous), shape + ": the f16 cache differs from float32");
                double[] expected = new double[query.Length];
                ReferenceAttention.ComputeBatched(new AttentionSpec(D, causal: true), AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, expected, default, default);
                float[] plain = new float[expected.Length];
                PlainFloatAttention.ComputeBatched(new AttentionSpec(D, causal: true), AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, plain, default, default);
                AssertClose(contiguous, expected, plain, shape);
            }

            // [B, N, H, d] <-> [B, H, N, d]: one copy of each d-row.
            static float[] Transpose(float[] source, int batch, int rows, int heads, int d, bool toHeadMajor)
            {
                float[] result = new float[source.Length];
                for (int b = 0; b < batch; b++)
                {
                    for (int n = 0; n < rows; n++)
                    {
                        for (int h = 0; h < heads; h++)
                        {
                            int tokenMajor = ((b * rows + n) * heads + h) * d, headMajor = ((b * heads + h) * rows + n) * d;
                            source.AsSpan(toHeadMajor ? tokenMajor : headMajor, d).CopyTo(result.AsSpan(toHeadMajor ? headMajor : tokenMajor));
                        }
                    }
                }

                return result;
            }
        }

        /// <summary>
        /// An infinite f16 value inside an unmasked block whose values would otherwise be read with split loads: the block
        /// must take the exact widening (split loads would read infinity as 65536), so every head of its group gets an
        /// infinite output in that column, as the reference does.
        /// </summary>
        [Fact]
        public void HalfCache_Gqa_InfiniteValue_TakesTheExactWidening()
        {
            const int D = 64, H = 8, Kv = 2, Keys = 100;
            var random = new Random(5);
            float[] query = TestData.Uniform(random.Next(), H * D, 1f);
            float[] key = Rounded<Half>(TestData.Uniform(random.Next(), Keys * Kv * D, 1f));
            float[] value = Rounded<Half>(TestData.Uniform(random.Next(), key.Length));
            value[(70 * Kv + 1) * D + 10] = float.PositiveInfinity; // key 70, key/value head 1, column 10 ([B, N, H, d])
            float[] output = Run(2, query, key, value, 1, threads: 1);
            for (int head = 4; head < 8; head++)
            {
                Assert.True(float.IsPositiveInfinity(output[head * D + 10]), $"head {head}: {output[head * D + 10]}");
                Assert.True(float.IsFinite(output[head * D + 11]), $"head {head}, column 11: {output[head * D + 11]}");
            }
        }

        /// <summary>One of the split-load GQA kernels (0: f16 d = 61, 1: bf16 d = 64, 2: f16 d = 64) on the given thread count.</summary>
        private static float[] Run(int kernel, float[] query, float[] key, float[] value, int batch, int threads)
        {
            float[] output = TestData.Poisoned(query.Length);
            int saved = AttentionThreading.MaxDegreeOfParallelism;
            try
            {
                AttentionThreading.MaxDegreeOfParallelism = threads;
                switch (kernel)
                {
                    case 0:
                        BatchedStorageKernels.HalfCache_Gqa8x2_Bhsd_D61(query, Narrow<Half>(key), Narrow<Half>(value), output, batch);
                        break;
                    case 1:
                        BatchedStorageKernels.BFloat16Cache_Gqa16x2_D64(query, Narrow<BFloat16>(key), Narrow<BFloat16>(value), output, batch);
                        break;
                    default:
                        BatchedStorageKernels.HalfCache_Gqa8x2_D64(query, Narrow<Half>(key), Narrow<Half>(value), output, batch);
                        break;
                }
            }
            finally
            {
                AttentionThreading.MaxDegreeOfParallelism = saved;
            }

            return output;
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void HalfCache_OddGqaGroup_LongRows_MatchReference(int batch)
        {
            const int D = 32, H = 6, Kv = 2;
            var spec = new AttentionSpec(D, causal: true);
            foreach ((int queries, int keys) in new[] { (1, 2100), (2, 1300), (3, 1), (17, 40) })
            {
                var random = new Random(batch * 10 + queries + keys);
                int[] keyLengths = Lengths(random, batch, keys);
                float[] query = TestData.Uniform(random.Next(), batch * queries * H * D, 2f);
                float[] key = Rounded<Half>(TestData.Uniform(random.Next(), batch * keys * Kv * D, 2f));
                float[] value = Rounded<Half>(TestData.Uniform(random.Next(), key.Length));
                PoisonPadding(key, value, AttentionLayout.BatchSeqHeadDim, D, Kv, batch, keys, keyLengths);
                float[] output = TestData.Poisoned(query.Length);
                BatchedStorageKernels.HalfCache_Gqa6x2_Causal(query, Narrow<Half>(key), Narrow<Half>(value), output, batch, keyLengths);
                double[] expected = new double[query.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, expected, keyLengths);
                float[] plain = new float[expected.Length];
                PlainFloatAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, plain, keyLengths);
                AssertClose(output, expected, plain, $"B={batch} Nq={queries} Nk={keys}");
            }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void HalfCache_AnInfiniteKeyInsideTheRange_TakesTheExactWidening(bool tiles)
        {
            // One key element of +inf (f16 0x7C00) among finite ones, in the decode row's range, where every query has a 0:
            // the block is not "finite", so its keys widen exactly and the heads that read it get 0 x inf = NaN scores and
            // NaN rows, as in the reference; the 4-operation widening would have read it as a finite value near 65536, 0 x
            // that = 0, and given finite output. (A +inf score would not tell them apart: its row follows the limit, the
            // key's value row, as a huge finite score's does.)
            int d = tiles ? 64 : 32, heads = tiles ? 8 : 6;
            const int Kv = 2, Keys = 300;
            var random = new Random(tiles ? 32 : 31);
            float[] query = Enumerable.Range(0, heads * d).Select(i => i % d == 5 ? 0f : 1f + (float)random.NextDouble()).ToArray();
            float[] key = Rounded<Half>(TestData.Uniform(random.Next(), Keys * Kv * d));
            float[] value = Rounded<Half>(TestData.Uniform(random.Next(), key.Length));
            key[(290 * Kv + 1) * d + 5] = float.PositiveInfinity; // key 290 of key/value head 1: inside the window of the last row
            float[] output = TestData.Poisoned(query.Length);
            double[] expected = new double[query.Length];
            float[] plain = new float[query.Length];
            int[] keyLengths = { Keys };
            if (tiles)
            {
                BatchedStorageKernels.HalfCache_Gqa8x2_CausalWindowGlobals(query, Narrow<Half>(key), Narrow<Half>(value), output, 1, keyLengths, new[] { 1 }, new float[heads]);
                ReferenceAttention.ComputeBatched(new AttentionSpec(d, causal: true, window: new AttentionWindow(40, 0), globalPositions: new[] { 0, 3 }),
                    AttentionLayout.BatchSeqHeadDim, heads, Kv, 1, query, key, value, expected, keyLengths, new[] { 1 });
                PlainFloatAttention.ComputeBatched(new AttentionSpec(d, causal: true, window: new AttentionWindow(40, 0), globalPositions: new[] { 0, 3 }),
                    AttentionLayout.BatchSeqHeadDim, heads, Kv, 1, query, key, value, plain, keyLengths, new[] { 1 });
            }
            else
            {
                BatchedStorageKernels.HalfCache_Gqa6x2_Causal(query, Narrow<Half>(key), Narrow<Half>(value), output, 1, keyLengths);
                ReferenceAttention.ComputeBatched(new AttentionSpec(d, causal: true), AttentionLayout.BatchSeqHeadDim, heads, Kv, 1, query, key, value, expected, keyLengths);
                PlainFloatAttention.ComputeBatched(new AttentionSpec(d, causal: true), AttentionLayout.BatchSeqHeadDim, heads, Kv, 1, query, key, value, plain, keyLengths);
            }

            // NaN exactly where the reference is NaN; the finite elements under the accuracy criterion.
            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
            int nans = expected.Count(double.IsNaN);
            Assert.Equal(heads / Kv * d, nans); // exactly the heads of key/value head 1
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void BFloat16Everything_Gqa_HeadMajor_RuntimeMasks_Sinks_MatchReference(int batch)
        {
            const int D = 48, H = 4, Kv = 1;
            var spec = new AttentionSpec(D, causal: true);
            float[] sinks = { 0.5f, -1f, 2f, 0f };
            foreach ((int queries, int keys) in Shapes)
            {
                var random = new Random(batch * 100 + queries * 11 + keys);
                float[] query = Rounded<BFloat16>(TestData.Uniform(random.Next(), batch * H * queries * D, 2f));
                float[] key = Rounded<BFloat16>(TestData.Uniform(random.Next(), batch * Kv * keys * D, 2f));
                float[] value = Rounded<BFloat16>(TestData.Uniform(random.Next(), key.Length));

                // About a fifth of the keys dropped, their keys NaN and values infinite: reading one shows.
                bool[] keyMask = Enumerable.Range(0, batch * keys).Select(_ => random.Next(5) != 0).ToArray();
                for (int i = 0; i < keyMask.Length; i++)
                {
                    if (!keyMask[i])
                    {
                        int b = i / keys, j = i % keys;
                        key.AsSpan(((b * Kv) * keys + j) * D, D).Fill(float.NaN);
                        value.AsSpan(((b * Kv) * keys + j) * D, D).Fill(float.PositiveInfinity);
                    }
                }

                bool[] mask = Enumerable.Range(0, queries * keys).Select(_ => random.Next(4) != 0).ToArray();
                BFloat16[] output = Enumerable.Repeat((BFloat16)float.NaN, query.Length).ToArray();
                float[] logSumExp = TestData.Poisoned(batch * H * queries);
                BatchedStorageKernels.BFloat16All_Gqa4x1_Bhsd_Masks_Sinks(Narrow<BFloat16>(query), Narrow<BFloat16>(key), Narrow<BFloat16>(value), output, batch,
                    keyMask, mask, logSumExp, sinks);

                double[] expected = new double[query.Length], expectedLse = new double[logSumExp.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, Kv, batch, query, key, value, expected, logSumExp: expectedLse,
                    keyMask: keyMask, mask: mask, sinks: sinks);
                float[] plain = new float[expected.Length];
                float[] plainLse = new float[expectedLse.Length];
                PlainFloatAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, Kv, batch, query, key, value, plain, logSumExp: plainLse,
                    keyMask: keyMask, mask: mask, sinks: sinks);
                string shape = $"B={batch} Nq={queries} Nk={keys}";
                AssertRoundedWithin(Widen(output), expected, plain, static x => (float)(BFloat16)x, shape);
                AssertClose(logSumExp, expectedLse, plainLse, shape + " log-sum-exp");
            }
        }

        [Fact]
        public void HalfEverything_Packed_Alibi_MatchReference()
        {
            const int D = 32, H = 4, Kv = 2;
            var spec = new AttentionSpec(D, causal: true, alibi: true);
            foreach (int[] starts in new[] { new[] { 0, 1 }, new[] { 0, 3, 3, 70 }, new[] { 0, 2100 }, new[] { 0, 1, 2, 3 } })
            {
                var random = new Random(starts[^1] * 3 + starts.Length);
                int total = starts[^1], batch = starts.Length - 1;
                float[] query = Rounded<Half>(TestData.Uniform(random.Next(), total * H * D, 2f));
                float[] key = Rounded<Half>(TestData.Uniform(random.Next(), total * Kv * D, 2f));
                float[] value = Rounded<Half>(TestData.Uniform(random.Next(), key.Length));
                Half[] output = Enumerable.Repeat(Half.NaN, query.Length).ToArray();
                BatchedStorageKernels.HalfAll_Gqa4x2_Packed_Alibi(Narrow<Half>(query), Narrow<Half>(key), Narrow<Half>(value), output, batch, starts);

                double[] expected = new double[query.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, expected, sequenceStarts: starts);
                float[] plain = new float[expected.Length];
                PlainFloatAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, plain, sequenceStarts: starts);
                AssertRoundedWithin(Widen(output), expected, plain, static x => (float)(Half)x, $"starts [{string.Join(",", starts)}]");
            }
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void BFloat16Cache_HalfOutput_Bias_Softcap_MatchReference(int batch)
        {
            const int D = 80, H = 2, Kv = 2;
            var spec = new AttentionSpec(D, softcap: 4f);
            foreach ((int queries, int keys) in Shapes)
            {
                var random = new Random(batch * 100 + queries * 13 + keys);
                int[] keyLengths = Lengths(random, batch, keys);
                float[] query = TestData.Uniform(random.Next(), batch * queries * H * D, 2f);
                float[] key = Rounded<BFloat16>(TestData.Uniform(random.Next(), batch * keys * Kv * D, 2f));
                float[] value = Rounded<BFloat16>(TestData.Uniform(random.Next(), key.Length));
                PoisonPadding(key, value, AttentionLayout.BatchSeqHeadDim, D, Kv, batch, keys, keyLengths);
                float[] bias = TestData.Uniform(random.Next(), batch * H * queries * keys);
                Half[] output = Enumerable.Repeat(Half.NaN, query.Length).ToArray();
                BatchedStorageKernels.BFloat16Cache_HalfOutput_Bias_Softcap(query, Narrow<BFloat16>(key), Narrow<BFloat16>(value), output, batch, keyLengths, bias);

                double[] expected = new double[query.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, expected, keyLengths, bias: bias);
                float[] plain = new float[expected.Length];
                PlainFloatAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, plain, keyLengths, bias: bias);
                AssertRoundedWithin(Widen(output), expected, plain, static x => (float)(Half)x, $"B={batch} Nq={queries} Nk={keys}");
            }
        }

        [Fact]
        public void SixteenBitBatchedCall_RejectsOverlapAcrossElementTypes_BeforeAnyWrite()
        {
            // A Half output laid over the bytes of the float query: the overlap is judged in bytes, whatever the element types.
            const int D = 80, H = 2;
            float[] query = TestData.Uniform(1, 2 * H * D);
            BFloat16[] key = new BFloat16[3 * H * D], value = new BFloat16[key.Length];
            var exception = Assert.ThrowsAny<ArgumentException>(() => BatchedStorageKernels.BFloat16Cache_HalfOutput_Bias_Softcap(query, key, value,
                System.Runtime.InteropServices.MemoryMarshal.Cast<float, Half>(query.AsSpan()).Slice(query.Length / 2, query.Length), 1, default, new float[2 * H * 2 * 3]));
            Assert.Equal("output", exception.ParamName);
            Assert.Equal(TestData.Uniform(1, 2 * H * D), query); // nothing written

            Half[] q16 = new Half[3 * 4 * 32], k16 = new Half[3 * 2 * 32], v16 = new Half[k16.Length];
            Half[] output = Enumerable.Repeat(Half.NaN, q16.Length).ToArray();
            var starts = Assert.ThrowsAny<ArgumentException>(() => BatchedStorageKernels.HalfAll_Gqa4x2_Packed_Alibi(q16, k16, v16, output, 1, new[] { 0, 2 }));
            Assert.Equal("sequenceStarts", starts.ParamName);
            Assert.All(output, static x => Assert.True(Half.IsNaN(x)));
        }

        [Fact]
        public void SixteenBitLongDecodeRow_OnTwoThreads_EqualsOneThread_AndTheReference()
        {
            // 16384 f16 keys: the row's 1024-key chunks go to the worker threads (the spans handed over type-erased), and the
            // chunks are fixed, so one and two threads give the same bits.
            const int D = 128, Keys = 16384;
            var random = new Random(16);
            float[] query = TestData.Uniform(random.Next(), D, 2f);
            float[] key = Rounded<Half>(TestData.Uniform(random.Next(), Keys * D, 2f)), value = Rounded<Half>(TestData.Uniform(random.Next(), Keys * D));
            Half[] halfKey = Narrow<Half>(key), halfValue = Narrow<Half>(value);
            int saved = AttentionThreading.MaxDegreeOfParallelism;
            float[] one = TestData.Poisoned(D), two = TestData.Poisoned(D);
            try
            {
                AttentionThreading.MaxDegreeOfParallelism = 1;
                StorageKernels.HalfCache_Causal128(query, halfKey, halfValue, one);
                AttentionThreading.MaxDegreeOfParallelism = 2;
                StorageKernels.HalfCache_Causal128(query, halfKey, halfValue, two);
            }
            finally
            {
                AttentionThreading.MaxDegreeOfParallelism = saved;
            }

            Assert.Equal(one, two);
            double[] expected = new double[D];
            ReferenceAttention.Compute(new AttentionSpec(D, causal: true), query, key, value, expected, Span<double>.Empty, default);
            float[] plain = new float[expected.Length];
            PlainFloatAttention.Compute(new AttentionSpec(D, causal: true), query, key, value, plain);
            AssertClose(two, expected, plain, "f16 decode over 16384 keys");
        }

        [Fact]
        public void SteadyState16BitDecodeStep_AllocatesNothing()
        {
            const int D = 64, H = 8, Kv = 2, Batch = 2, Keys = 1000;
            float[] query = TestData.Uniform(1, Batch * H * D);
            Half[] key = Narrow<Half>(TestData.Uniform(2, Batch * Keys * Kv * D)), value = Narrow<Half>(TestData.Uniform(3, key.Length));
            float[] output = new float[query.Length], logSumExp = new float[Batch * H];
            int[] keyLengths = { Keys, 700 }, queryLengths = { 1, 1 };
            Assert.Equal(0, Allocations.InCleanestWindow(
                () => BatchedStorageKernels.HalfCache_Gqa8x2_CausalWindowGlobals(query, key, value, output, Batch, keyLengths, queryLengths, logSumExp)));
        }

        /// <summary>Per-item lengths: full, 1, 0 and random ones.</summary>
        private static int[] Lengths(Random random, int batch, int limit) =>
            Enumerable.Range(0, batch).Select(b => (b % 4) switch { 0 => limit, 1 => Math.Min(limit, 1), 2 => 0, _ => random.Next(0, limit + 1) }).ToArray();

        /// <summary>Padding keys and values (past each item's length) are NaN: a kernel that reads one shows it.</summary>
        private static void PoisonPadding(float[] key, float[] value, AttentionLayout layout, int d, int keyValueHeads, int batch, int keys, int[] keyLengths)
        {
            var shape = new BatchedShape(layout, d, keyValueHeads, keyValueHeads, batch, keys, keys);
            for (int b = 0; b < batch; b++)
            {
                for (int h = 0; h < keyValueHeads; h++)
                {
                    for (int j = keyLengths[b]; j < keys; j++)
                    {
                        key.AsSpan(shape.RowOffset(b, h, j, keyValueHeads, keys), d).Fill(float.NaN);
                        value.AsSpan(shape.RowOffset(b, h, j, keyValueHeads, keys), d).Fill(float.NaN);
                    }
                }
            }
        }

        /// <summary>The values rounded to <typeparamref name="T"/> and back: exactly what a kernel reads from a 16-bit span.</summary>
        private static float[] Rounded<T>(float[] values)
            where T : unmanaged => Widen(Narrow<T>(values));

        /// <summary>Float outputs (or log-sum-exps) under the accuracy criterion against the plain float32 twin; -inf exactly where the reference is -inf.</summary>
        private static void AssertClose(float[] actual, double[] expected, float[] plain, string what)
        {
            Accuracy.Measure measure = Accuracy.Check(actual, expected, plain);
            Assert.True(measure.Problem is null, $"{what}: {measure.Problem}");
        }

        /// <summary>Each 16-bit output lies between the 16-bit roundings of reference -+ the criterion's allowed error.</summary>
        private static void AssertRoundedWithin(float[] actual, double[] expected, float[] plain, Func<float, float> round, string what)
        {
            Accuracy.Measure measure = Accuracy.CheckRounded(actual, expected, plain, round);
            Assert.True(measure.Problem is null, $"{what}: {measure.Problem}");
        }
    }
}
