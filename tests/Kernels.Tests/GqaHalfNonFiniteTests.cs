using System;
using System.Linq;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;
using static KernelGen.Tests.TestData;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// The GQA decode tiles read f16 keys and values as finite and test them in their own split loads (no scan of a block
    /// before it is read): a block of keys or a strip of values that held an infinity or a NaN where nothing masks it must
    /// be taken again with the exact widening and give the float path's bits on the widened values.
    /// </summary>
    [Collection(ProcessWideThreadSetting.Name)]
    public sealed class GqaHalfNonFiniteTests
    {
        private const int D = 64, H = 8, Kv = 2, Keys = 200; // blocks 0-63, 64-127, 128-191 and a tail of 8

        /// <summary>
        /// One query row over 200 keys, d = 64, 8 query heads over 2 ([B, N, H, d], split loads for scores and values):
        /// queries and keys in {-1, 0, 1}, so every dot product is exact in any order and the split score loops' bits equal
        /// the float loops'; values f16 roundings, whose in-place tile keeps the float tile's order. Each case puts
        /// infinities or NaNs in unmasked blocks: a +inf key where heads 0-3 weigh its column by 1 (a +inf score, which
        /// split loads would read as 65536 and so a finite score), a NaN key, an infinite and a NaN value in the first and
        /// the last strip of 16 columns. The f16 output must equal the float kernel's on the widened values bit for bit,
        /// on one thread and on two.
        /// </summary>
        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void GqaDecodeOfHalfRows_InfinityOrNaNInAnUnmaskedBlock_EqualsTheFloatPath(int @case)
        {
            var random = new Random(40 + @case);
            float[] query = Enumerable.Range(0, H * D).Select(_ => (float)random.Next(-1, 2)).ToArray();
            float[] key = Enumerable.Range(0, Keys * Kv * D).Select(_ => (float)random.Next(-1, 2)).ToArray();
            float[] value = Widen(Narrow<Half>(TestData.Uniform(random.Next(), key.Length)));
            for (int head = 0; head < H / Kv; head++)
            {
                query[head * D + 3] = 1f; // heads 0-3 (key/value head 0) weigh column 3 by 1
            }

            switch (@case)
            {
                case 0: // keys: +inf in block 0 of key/value head 0, NaN in block 2 of key/value head 1
                    key[(10 * Kv + 0) * D + 3] = float.PositiveInfinity;
                    key[(150 * Kv + 1) * D + 40] = float.NaN;
                    break;
                case 1: // values: +inf in the first strip (block 1), NaN in the last strip (block 2), -inf in the tail block
                    value[(70 * Kv + 0) * D + 5] = float.PositiveInfinity;
                    value[(150 * Kv + 1) * D + D - 2] = float.NaN;
                    value[(195 * Kv + 1) * D + 20] = float.NegativeInfinity;
                    break;
                default: // both, in the same block of key/value head 1
                    key[(100 * Kv + 1) * D + 7] = float.NegativeInfinity;
                    value[(100 * Kv + 1) * D + 7] = float.PositiveInfinity;
                    value[(101 * Kv + 1) * D + 50] = float.NegativeInfinity;
                    break;
            }

            Half[] halfKey = Narrow<Half>(key), halfValue = Narrow<Half>(value);
            float[] wideKey = Widen(halfKey), wideValue = Widen(halfValue);
            foreach (int threads in new[] { 1, 2 })
            {
                float[] expected = TestData.Poisoned(query.Length), actual = TestData.Poisoned(query.Length);
                int saved = AttentionThreading.MaxDegreeOfParallelism;
                try
                {
                    AttentionThreading.MaxDegreeOfParallelism = threads;
                    BatchedStorageKernels.Float_Gqa8x2_D64(query, wideKey, wideValue, expected, 1);
                    BatchedStorageKernels.HalfCache_Gqa8x2_D64(query, halfKey, halfValue, actual, 1);
                }
                finally
                {
                    AttentionThreading.MaxDegreeOfParallelism = saved;
                }

                Assert.True(expected.Any(x => !float.IsFinite(x)), $"case {@case}: the float path's own outcome holds an infinity or a NaN");
                Assert.True(expected.Any(float.IsFinite), $"case {@case}: and finite elements");
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"case {@case}, {threads} thread(s), head {i / D}, column {i % D}: f16 {actual[i]} against float {expected[i]}");
                }
            }
        }
    }
}
