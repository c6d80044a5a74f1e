using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;
using Path64 = KernelGen.Tests.EngineTestSlots.TestPath<KernelGen.Tests.EngineTestSlots.D64, KernelGen.Tests.EngineTestSlots.Four>;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The grouped decode's in-place value tile (<c>AttentionEngine.AccumulateTileInPlace</c>) against the engine's float
    /// tile (<see cref="Vector256Tile{TPath}.AccumulateTile"/>) on the same numbers in contiguous float rows, bit for bit:
    /// float32 rows d apart and 3 x d apart, bf16 rows and finite f16 rows (split loads, the sums deinterleaved in
    /// registers, f16's weights scaled by 2^112), full and partial blocks, random corrections, weights and accumulators.
    /// </summary>
    public sealed class InPlaceTileTests
    {
        private const int D = 64, KeyBlock = AttentionEngine.KeyBlock;

        [Avx2Theory]
        [InlineData(64, 1)]
        [InlineData(64, 3)]
        [InlineData(37, 3)]
        [InlineData(1, 1)]
        public void AccumulateTileInPlace_EveryRowKind_EqualsTheFloatTile_BitForBit(int keys, int rowsApart)
        {
            var random = new Random(keys * 10 + rowsApart);
            int stride = rowsApart * D;
            float[] rows = TestData.Uniform(random.Next(), (keys - 1) * stride + D, 3f);
            rows = rows.Select(x => (float)(BFloat16)x).Select(x => Math.Abs(x) < 1f / 16384 ? 0f : x).ToArray(); // bf16 values f16 also holds
            float[] contiguous = new float[keys * D];
            for (int key = 0; key < keys; key++)
            {
                rows.AsSpan(key * stride, D).CopyTo(contiguous.AsSpan(key * D));
            }

            float[] start = TestData.Uniform(random.Next(), 4 * D, 2f);
            float[] corrections = { 0.25f, 1f, 0.9f, 0f };
            float[] weights = new float[4 * KeyBlock];
            for (int r = 0; r < 4; r++)
            {
                for (int key = 0; key < keys; key++)
                {
                    weights[r * KeyBlock + key] = (float)random.NextDouble();
                }
            }

            float[] expected = (float[])start.Clone();
            Vector256Tile<Path64>.AccumulateTile(expected, corrections, weights, ref contiguous[0], keys);

            float[] fromFloat = (float[])start.Clone();
            DecodeKernels<Path64, EngineTestSlots.EveryPartMask, IdentityScore>.AccumulateTileInPlace(fromFloat, corrections, (float[])weights.Clone(), ref rows[0],
                stride, keys, ref rows[0], 0);
            Assert.Equal(Bits(expected), Bits(fromFloat));

            BFloat16[] bf16 = rows.Select(x => (BFloat16)x).ToArray();
            float[] fromBFloat16 = (float[])start.Clone();
            DecodeKernels<Path64, EngineTestSlots.EveryPartMask, IdentityScore>.AccumulateTileInPlace(fromBFloat16, corrections, (float[])weights.Clone(), ref bf16[0],
                stride, keys, ref bf16[0], 0);
            Assert.Equal(Bits(expected), Bits(fromBFloat16));

            FiniteHalf[] f16 = rows.Select(x => System.Runtime.CompilerServices.Unsafe.BitCast<Half, FiniteHalf>((Half)x)).ToArray();
            Assert.All(rows, x => Assert.Equal(x, (float)(Half)x)); // the same numbers in f16
            float[] fromHalf = (float[])start.Clone();
            DecodeKernels<Path64, EngineTestSlots.EveryPartMask, IdentityScore>.AccumulateTileInPlace(fromHalf, corrections, (float[])weights.Clone(), ref f16[0],
                stride, keys, ref f16[0], 0);
            Assert.Equal(Bits(expected), Bits(fromHalf));
        }

        private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

        /// <summary>A theory reported as skipped where the in-place tile does not run (no AVX2).</summary>
        private sealed class Avx2TheoryAttribute : TheoryAttribute
        {
            public Avx2TheoryAttribute()
            {
                if (!Avx2.IsSupported)
                {
                    Skip = "The in-place tile runs only with AVX2.";
                }
            }
        }
    }
}
