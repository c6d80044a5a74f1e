using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The Vector256 tile micro-kernels of the engine: 4 query rows x 16 keys, for any path whose RowTile is 4. d and the
    /// scale come from <typeparamref name="TPath"/> as JIT-time constants, so the loops below compile to code specialised
    /// for the kernel's head dimension. Scores are built column by column from a packed block (one load of the 16 keys'
    /// values in 2 vectors, one broadcast per row, 2 multiply-adds per row), so there is no horizontal sum; the weighted
    /// values are accumulated for all rows while each value row is loaded once.
    /// </summary>
    /// <remarks>
    /// One body per width: .NET 10 keeps ISimdVector internal, so no public generic vector type spans Vector128/256/512,
    /// and the register tiles differ by width (scores: 8 rows x 1 vector, or 8 x 2 for two blocks, 4 x 2, 2 x 4;
    /// accumulate: 8 rows x 2 vectors, 4 x 2, 2 x 4).
    /// Multiply-adds are fused (the machines that accelerate this width have FMA), so every JIT tier rounds alike.
    /// </remarks>
    internal static class Vector256Tile<TPath>
        where TPath : struct, IHeadDimensionPath
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;

        /// <summary>scores[r * KeyBlock + t] = scale * dot(query row r, key t) for 4 rows and the 16 keys of a packed block ([d][16]).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores)
        {
            int d = TPath.HeadDimension;
            Vector256<float> score0_0 = Vector256<float>.Zero;
            Vector256<float> score0_1 = Vector256<float>.Zero;
            Vector256<float> score1_0 = Vector256<float>.Zero;
            Vector256<float> score1_1 = Vector256<float>.Zero;
            Vector256<float> score2_0 = Vector256<float>.Zero;
            Vector256<float> score2_1 = Vector256<float>.Zero;
            Vector256<float> score3_0 = Vector256<float>.Zero;
            Vector256<float> score3_1 = Vector256<float>.Zero;
            ref float keyColumn = ref packedBlock;
            ref float queryColumn = ref queryRows;
            for (int column = 0; column < d; column++)
            {
                Vector256<float> keys0 = Vector256.LoadUnsafe(ref keyColumn);
                Vector256<float> keys1 = Vector256.LoadUnsafe(ref keyColumn, 8);
                Vector256<float> query0 = Vector256.Create(queryColumn);
                score0_0 = Vector256.FusedMultiplyAdd(query0, keys0, score0_0);
                score0_1 = Vector256.FusedMultiplyAdd(query0, keys1, score0_1);
                Vector256<float> query1 = Vector256.Create(Unsafe.Add(ref queryColumn, d));
                score1_0 = Vector256.FusedMultiplyAdd(query1, keys0, score1_0);
                score1_1 = Vector256.FusedMultiplyAdd(query1, keys1, score1_1);
                Vector256<float> query2 = Vector256.Create(Unsafe.Add(ref queryColumn, 2 * d));
                score2_0 = Vector256.FusedMultiplyAdd(query2, keys0, score2_0);
                score2_1 = Vector256.FusedMultiplyAdd(query2, keys1, score2_1);
                Vector256<float> query3 = Vector256.Create(Unsafe.Add(ref queryColumn, 3 * d));
                score3_0 = Vector256.FusedMultiplyAdd(query3, keys0, score3_0);
                score3_1 = Vector256.FusedMultiplyAdd(query3, keys1, score3_1);
                keyColumn = ref Unsafe.Add(ref keyColumn, 16);
                queryColumn = ref Unsafe.Add(ref queryColumn, 1);
            }

            float scale = TPath.ScoreScale;
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            (score0_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(0));
            (score0_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(8));
            (score1_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock));
            (score1_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock + 8));
            (score2_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(2 * KeyBlock));
            (score2_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(2 * KeyBlock + 8));
            (score3_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(3 * KeyBlock));
            (score3_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(3 * KeyBlock + 8));
        }

        /// <summary>
        /// For each of the 4 rows: acc_r = corrections[r] * acc_r + sum over t &lt; keyCount of weights[r * KeyBlock + t] * value
        /// row t. The columns go 16 at a time (4 rows x 2 vectors: eight independent multiply-add chains, each weight
        /// broadcast feeding two of them), then 8; a head dimension that is not a multiple of 8 ends with narrower vectors
        /// and scalars (<see cref="TileColumns"/>), the same split as the path's unrolled row code. Every element's
        /// operations and their order are the same whichever loop it falls in.
        /// </summary>
        /// <remarks>
        /// Not inlined: inside the engine's tile loop the register allocator spilled this loop's bound and weight pointer
        /// for a causal d = 128 kernel (twice the instructions per key and three times the cycles under llvm-mca:
        /// bench/RESULTS.md, \"Lean micro-kernels\"). On its own it keeps them in registers; the call
        /// costs once per 64-key tile. The key loops bump a value-row and a weight reference (constant displacements, no
        /// index arithmetic per load). With one vector per row (four chains) the loop was bound by the multiply-add
        /// latency on both vendors (half of an Intel core's two FMA ports, most of a Zen 1 core's one).
        /// </remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount)
        {
            int d = TPath.HeadDimension;
            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulators);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            float correction0 = corrections[0];
            float correction1 = corrections[1];
            float correction2 = corrections[2];
            float correction3 = corrections[3];
            int pairColumns = d / 16 * 16; // JIT-time constants, so the branches below fold away for the kernel's d
            for (int column = 0; column < pairColumns; column += 16)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                Vector256<float> sum0_0 = Vector256.LoadUnsafe(ref accumulator) * correction0;
                Vector256<float> sum0_1 = Vector256.LoadUnsafe(ref accumulator, 8) * correction0;
                Vector256<float> sum1_0 = Vector256.LoadUnsafe(ref accumulator, (nuint)d) * correction1;
                Vector256<float> sum1_1 = Vector256.LoadUnsafe(ref accumulator, (nuint)(d + 8)) * correction1;
                Vector256<float> sum2_0 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * d)) * correction2;
                Vector256<float> sum2_1 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * d + 8)) * correction2;
                Vector256<float> sum3_0 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * d)) * correction3;
                Vector256<float> sum3_1 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * d + 8)) * correction3;
                ref float valueRow = ref Unsafe.Add(ref valueRows, column);
                nuint valueOffset = 0; // stepped, not the reference: a reference bumped past the last row would point outside the span
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++)
                {
                    Vector256<float> values0 = Vector256.LoadUnsafe(ref valueRow, valueOffset);
                    Vector256<float> values1 = Vector256.LoadUnsafe(ref valueRow, valueOffset + 8);
                    Vector256<float> weight0 = Vector256.Create(weight);
                    sum0_0 = Vector256.FusedMultiplyAdd(weight0, values0, sum0_0);
                    sum0_1 = Vector256.FusedMultiplyAdd(weight0, values1, sum0_1);
                    Vector256<float> weight1 = Vector256.Create(Unsafe.Add(ref weight, KeyBlock));
                    sum1_0 = Vector256.FusedMultiplyAdd(weight1, values0, sum1_0);
                    sum1_1 = Vector256.FusedMultiplyAdd(weight1, values1, sum1_1);
                    Vector256<float> weight2 = Vector256.Create(Unsafe.Add(ref weight, 2 * KeyBlock));
                    sum2_0 = Vector256.FusedMultiplyAdd(weight2, values0, sum2_0);
                    sum2_1 = Vector256.FusedMultiplyAdd(weight2, values1, sum2_1);
                    Vector256<float> weight3 = Vector256.Create(Unsafe.Add(ref weight, 3 * KeyBlock));
                    sum3_0 = Vector256.FusedMultiplyAdd(weight3, values0, sum3_0);
                    sum3_1 = Vector256.FusedMultiplyAdd(weight3, values1, sum3_1);
                    valueOffset += (nuint)d;
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                sum0_0.StoreUnsafe(ref accumulator);
                sum0_1.StoreUnsafe(ref accumulator, 8);
                sum1_0.StoreUnsafe(ref accumulator, (nuint)d);
                sum1_1.StoreUnsafe(ref accumulator, (nuint)(d + 8));
                sum2_0.StoreUnsafe(ref accumulator, (nuint)(2 * d));
                sum2_1.StoreUnsafe(ref accumulator, (nuint)(2 * d + 8));
                sum3_0.StoreUnsafe(ref accumulator, (nuint)(3 * d));
                sum3_1.StoreUnsafe(ref accumulator, (nuint)(3 * d + 8));
            }

            int rest = pairColumns;
            if (d - rest >= 8)
            {
                AccumulateOneVector(ref accumulatorStart, correction0, correction1, correction2, correction3, ref weightStart, ref valueRows, keyCount, rest);
                rest += 8;
            }

            if (d - rest >= 4)
            {
                TileColumns.Vector128(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, 4, d, rest);
                rest += 4;
            }

            for (; rest < d; rest++)
            {
                TileColumns.Scalar(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, 4, d, rest);
            }
        }

        /// <summary>The 8 columns from <paramref name="column"/> of <see cref="AccumulateTile"/>, 4 rows x 1 vector (d mod 16 = 8..15).</summary>
        private static void AccumulateOneVector(ref float accumulatorStart, float correction0, float correction1, float correction2, float correction3,
            ref float weightStart, ref float valueRows, int keyCount, int column)
        {
            int d = TPath.HeadDimension;
            ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
            Vector256<float> sum0 = Vector256.LoadUnsafe(ref accumulator) * correction0;
            Vector256<float> sum1 = Vector256.LoadUnsafe(ref accumulator, (nuint)d) * correction1;
            Vector256<float> sum2 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * d)) * correction2;
            Vector256<float> sum3 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * d)) * correction3;
            ref float valueRow = ref Unsafe.Add(ref valueRows, column);
            nuint valueOffset = 0; // stepped, not the reference: a reference bumped past the last row would point outside the span
            ref float weight = ref weightStart;
            for (int key = 0; key < keyCount; key++)
            {
                Vector256<float> values = Vector256.LoadUnsafe(ref valueRow, valueOffset);
                sum0 = Vector256.FusedMultiplyAdd(Vector256.Create(weight), values, sum0);
                sum1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref weight, KeyBlock)), values, sum1);
                sum2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref weight, 2 * KeyBlock)), values, sum2);
                sum3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref weight, 3 * KeyBlock)), values, sum3);
                valueOffset += (nuint)d;
                weight = ref Unsafe.Add(ref weight, 1);
            }

            sum0.StoreUnsafe(ref accumulator);
            sum1.StoreUnsafe(ref accumulator, (nuint)d);
            sum2.StoreUnsafe(ref accumulator, (nuint)(2 * d));
            sum3.StoreUnsafe(ref accumulator, (nuint)(3 * d));
        }
    }
}
