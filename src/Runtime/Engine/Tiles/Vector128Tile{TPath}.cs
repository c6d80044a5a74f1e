using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The Vector128 tile micro-kernels of the engine: 2 query rows x 16 keys, for any path whose RowTile is 2. d and the
    /// scale come from <typeparamref name="TPath"/> as JIT-time constants, so the loops below compile to code specialised
    /// for the kernel's head dimension. Scores are built column by column from a packed block (one load of the 16 keys'
    /// values in 4 vectors, one broadcast per row, 4 multiply-adds per row), so there is no horizontal sum; the weighted
    /// values are accumulated for all rows while each value row is loaded once.
    /// </summary>
    /// <remarks>
    /// One body per width: .NET 10 keeps ISimdVector internal, so no public generic vector type spans Vector128/256/512,
    /// and the register tiles differ by width (scores: 8 rows x 1 vector, or 8 x 2 for two blocks, 4 x 2, 2 x 4;
    /// accumulate: 8 rows x 2 vectors, 4 x 2, 2 x 4).
    /// Multiply then add, never fused: the 128-bit path also serves machines without FMA, and every JIT tier must round alike.
    /// </remarks>
    internal static class Vector128Tile<TPath>
        where TPath : struct, IHeadDimensionPath
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;

        /// <summary>scores[r * KeyBlock + t] = scale * dot(query row r, key t) for 2 rows and the 16 keys of a packed block ([d][16]).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores)
        {
            int d = TPath.HeadDimension;
            Vector128<float> score0_0 = Vector128<float>.Zero;
            Vector128<float> score0_1 = Vector128<float>.Zero;
            Vector128<float> score0_2 = Vector128<float>.Zero;
            Vector128<float> score0_3 = Vector128<float>.Zero;
            Vector128<float> score1_0 = Vector128<float>.Zero;
            Vector128<float> score1_1 = Vector128<float>.Zero;
            Vector128<float> score1_2 = Vector128<float>.Zero;
            Vector128<float> score1_3 = Vector128<float>.Zero;
            ref float keyColumn = ref packedBlock;
            ref float queryColumn = ref queryRows;
            for (int column = 0; column < d; column++)
            {
                Vector128<float> keys0 = Vector128.LoadUnsafe(ref keyColumn);
                Vector128<float> keys1 = Vector128.LoadUnsafe(ref keyColumn, 4);
                Vector128<float> keys2 = Vector128.LoadUnsafe(ref keyColumn, 8);
                Vector128<float> keys3 = Vector128.LoadUnsafe(ref keyColumn, 12);
                Vector128<float> query0 = Vector128.Create(queryColumn);
                score0_0 = query0 * keys0 + score0_0;
                score0_1 = query0 * keys1 + score0_1;
                score0_2 = query0 * keys2 + score0_2;
                score0_3 = query0 * keys3 + score0_3;
                Vector128<float> query1 = Vector128.Create(Unsafe.Add(ref queryColumn, d));
                score1_0 = query1 * keys0 + score1_0;
                score1_1 = query1 * keys1 + score1_1;
                score1_2 = query1 * keys2 + score1_2;
                score1_3 = query1 * keys3 + score1_3;
                keyColumn = ref Unsafe.Add(ref keyColumn, 16);
                queryColumn = ref Unsafe.Add(ref queryColumn, 1);
            }

            float scale = TPath.ScoreScale;
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            (score0_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(0));
            (score0_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(4));
            (score0_2 * scale).StoreUnsafe(ref scoreStart, (nuint)(8));
            (score0_3 * scale).StoreUnsafe(ref scoreStart, (nuint)(12));
            (score1_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock));
            (score1_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock + 4));
            (score1_2 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock + 8));
            (score1_3 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock + 12));
        }

        /// <summary>
        /// For each of the 2 rows: acc_r = corrections[r] * acc_r + sum over t &lt; keyCount of weights[r * KeyBlock + t] * value
        /// row t. The columns go 16 at a time (2 rows x 4 vectors: eight independent chains, each weight broadcast feeding
        /// four of them), then 4 at a time; a head dimension that is not a multiple of 4 ends with scalars
        /// (<see cref="TileColumns"/>). Every loop multiplies then adds, in key order, as before the loops were widened.
        /// </summary>
        /// <remarks>
        /// Not inlined: inside the engine's tile loop the register allocator spilled this loop's bound and weight pointer
        /// for a causal d = 128 kernel (twice the instructions per key and three times the cycles under llvm-mca:
        /// bench/RESULTS.md, \"Lean micro-kernels\"). On its own it keeps them in registers; the call
        /// costs once per 64-key tile. With one vector per row (two chains) the loop was bound by the add latency.
        /// </remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount)
        {
            int d = TPath.HeadDimension;
            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulators);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            float correction0 = corrections[0];
            float correction1 = corrections[1];
            int wideColumns = d / 16 * 16; // JIT-time constants, so the branches below fold away for the kernel's d
            for (int column = 0; column < wideColumns; column += 16)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                Vector128<float> sum0_0 = Vector128.LoadUnsafe(ref accumulator) * correction0;
                Vector128<float> sum0_1 = Vector128.LoadUnsafe(ref accumulator, 4) * correction0;
                Vector128<float> sum0_2 = Vector128.LoadUnsafe(ref accumulator, 8) * correction0;
                Vector128<float> sum0_3 = Vector128.LoadUnsafe(ref accumulator, 12) * correction0;
                Vector128<float> sum1_0 = Vector128.LoadUnsafe(ref accumulator, (nuint)d) * correction1;
                Vector128<float> sum1_1 = Vector128.LoadUnsafe(ref accumulator, (nuint)(d + 4)) * correction1;
                Vector128<float> sum1_2 = Vector128.LoadUnsafe(ref accumulator, (nuint)(d + 8)) * correction1;
                Vector128<float> sum1_3 = Vector128.LoadUnsafe(ref accumulator, (nuint)(d + 12)) * correction1;
                ref float valueRow = ref Unsafe.Add(ref valueRows, column);
                nuint valueOffset = 0; // stepped, not the reference: a reference bumped past the last row would point outside the span
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++)
                {
                    Vector128<float> values0 = Vector128.LoadUnsafe(ref valueRow, valueOffset);
                    Vector128<float> values1 = Vector128.LoadUnsafe(ref valueRow, valueOffset + 4);
                    Vector128<float> values2 = Vector128.LoadUnsafe(ref valueRow, valueOffset + 8);
                    Vector128<float> values3 = Vector128.LoadUnsafe(ref valueRow, valueOffset + 12);
                    Vector128<float> weight0 = Vector128.Create(weight);
                    sum0_0 = weight0 * values0 + sum0_0;
                    sum0_1 = weight0 * values1 + sum0_1;
                    sum0_2 = weight0 * values2 + sum0_2;
                    sum0_3 = weight0 * values3 + sum0_3;
                    Vector128<float> weight1 = Vector128.Create(Unsafe.Add(ref weight, KeyBlock));
                    sum1_0 = weight1 * values0 + sum1_0;
                    sum1_1 = weight1 * values1 + sum1_1;
                    sum1_2 = weight1 * values2 + sum1_2;
                    sum1_3 = weight1 * values3 + sum1_3;
                    valueOffset += (nuint)d;
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                sum0_0.StoreUnsafe(ref accumulator);
                sum0_1.StoreUnsafe(ref accumulator, 4);
                sum0_2.StoreUnsafe(ref accumulator, 8);
                sum0_3.StoreUnsafe(ref accumulator, 12);
                sum1_0.StoreUnsafe(ref accumulator, (nuint)d);
                sum1_1.StoreUnsafe(ref accumulator, (nuint)(d + 4));
                sum1_2.StoreUnsafe(ref accumulator, (nuint)(d + 8));
                sum1_3.StoreUnsafe(ref accumulator, (nuint)(d + 12));
            }

            int mainColumns = d / 4 * 4;
            for (int column = wideColumns; column < mainColumns; column += 4)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                Vector128<float> sum0 = Vector128.LoadUnsafe(ref accumulator) * correction0;
                Vector128<float> sum1 = Vector128.LoadUnsafe(ref accumulator, (nuint)d) * correction1;
                ref float valueRow = ref Unsafe.Add(ref valueRows, column);
                nuint valueOffset = 0; // stepped, not the reference: a reference bumped past the last row would point outside the span
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++)
                {
                    Vector128<float> values = Vector128.LoadUnsafe(ref valueRow, valueOffset);
                    sum0 = Vector128.Create(weight) * values + sum0;
                    sum1 = Vector128.Create(Unsafe.Add(ref weight, KeyBlock)) * values + sum1;
                    valueOffset += (nuint)d;
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                sum0.StoreUnsafe(ref accumulator);
                sum1.StoreUnsafe(ref accumulator, (nuint)d);
            }

            for (int rest = mainColumns; rest < d; rest++)
            {
                TileColumns.Scalar(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, 2, d, rest);
            }
        }
    }
}
