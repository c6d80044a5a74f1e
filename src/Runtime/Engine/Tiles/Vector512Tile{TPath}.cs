using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The Vector512 tile micro-kernels of the engine: 8 query rows x 16 keys, for any path whose RowTile is 8. d and the
    /// scale come from <typeparamref name="TPath"/> as JIT-time constants, so the loops below compile to code specialised
    /// for the kernel's head dimension. Scores are built column by column from a packed block (one load of the 16 keys'
    /// values, one broadcast per row, 1 multiply-add per row), so there is no horizontal sum; the weighted
    /// values are accumulated for all rows while each value row is loaded once.
    /// </summary>
    /// <remarks>
    /// One body per width: .NET 10 keeps ISimdVector internal, so no public generic vector type spans Vector128/256/512,
    /// and the register tiles differ by width (scores: 8 rows x 1 vector, or 8 x 2 for two blocks, 4 x 2, 2 x 4;
    /// accumulate: 8 rows x 2 vectors, 4 x 2, 2 x 4).
    /// Multiply-adds are fused (the machines that accelerate this width have FMA), so every JIT tier rounds alike.
    /// </remarks>
    internal static class Vector512Tile<TPath>
        where TPath : struct, IHeadDimensionPath
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;

        /// <summary>scores[r * KeyBlock + t] = scale * dot(query row r, key t) for 8 rows and the 16 keys of a packed block ([d][16]).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores)
        {
            int d = TPath.HeadDimension;
            Vector512<float> score0_0 = Vector512<float>.Zero;
            Vector512<float> score1_0 = Vector512<float>.Zero;
            Vector512<float> score2_0 = Vector512<float>.Zero;
            Vector512<float> score3_0 = Vector512<float>.Zero;
            Vector512<float> score4_0 = Vector512<float>.Zero;
            Vector512<float> score5_0 = Vector512<float>.Zero;
            Vector512<float> score6_0 = Vector512<float>.Zero;
            Vector512<float> score7_0 = Vector512<float>.Zero;
            ref float keyColumn = ref packedBlock;
            ref float queryColumn = ref queryRows;
            for (int column = 0; column < d; column++)
            {
                Vector512<float> keys0 = Vector512.LoadUnsafe(ref keyColumn);
                Vector512<float> query0 = Vector512.Create(queryColumn);
                score0_0 = Vector512.FusedMultiplyAdd(query0, keys0, score0_0);
                Vector512<float> query1 = Vector512.Create(Unsafe.Add(ref queryColumn, d));
                score1_0 = Vector512.FusedMultiplyAdd(query1, keys0, score1_0);
                Vector512<float> query2 = Vector512.Create(Unsafe.Add(ref queryColumn, 2 * d));
                score2_0 = Vector512.FusedMultiplyAdd(query2, keys0, score2_0);
                Vector512<float> query3 = Vector512.Create(Unsafe.Add(ref queryColumn, 3 * d));
                score3_0 = Vector512.FusedMultiplyAdd(query3, keys0, score3_0);
                Vector512<float> query4 = Vector512.Create(Unsafe.Add(ref queryColumn, 4 * d));
                score4_0 = Vector512.FusedMultiplyAdd(query4, keys0, score4_0);
                Vector512<float> query5 = Vector512.Create(Unsafe.Add(ref queryColumn, 5 * d));
                score5_0 = Vector512.FusedMultiplyAdd(query5, keys0, score5_0);
                Vector512<float> query6 = Vector512.Create(Unsafe.Add(ref queryColumn, 6 * d));
                score6_0 = Vector512.FusedMultiplyAdd(query6, keys0, score6_0);
                Vector512<float> query7 = Vector512.Create(Unsafe.Add(ref queryColumn, 7 * d));
                score7_0 = Vector512.FusedMultiplyAdd(query7, keys0, score7_0);
                keyColumn = ref Unsafe.Add(ref keyColumn, 16);
                queryColumn = ref Unsafe.Add(ref queryColumn, 1);
            }

            float scale = TPath.ScoreScale;
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            (score0_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(0));
            (score1_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock));
            (score2_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(2 * KeyBlock));
            (score3_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(3 * KeyBlock));
            (score4_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * KeyBlock));
            (score5_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(5 * KeyBlock));
            (score6_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(6 * KeyBlock));
            (score7_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(7 * KeyBlock));
        }

        /// <summary>
        /// <see cref="ScoreTile"/> for two adjacent packed blocks (32 keys): scores[r * KeyBlock + t] for t &lt; 16 from the block
        /// at <paramref name="packedBlock"/>, t in 16..31 from the next one (16 d floats on). Sixteen accumulators; each query
        /// broadcast feeds two multiply-adds, so a column takes 10 loads per 16 multiply-adds where one block takes 9 per 8
        /// (load-bound on a core with two 512-bit FMA ports and two load ports). Every score's operations are those of
        /// <see cref="ScoreTile"/>, in the same order.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores)
        {
            int d = TPath.HeadDimension;
            Vector512<float> score0_0 = Vector512<float>.Zero;
            Vector512<float> score0_1 = Vector512<float>.Zero;
            Vector512<float> score1_0 = Vector512<float>.Zero;
            Vector512<float> score1_1 = Vector512<float>.Zero;
            Vector512<float> score2_0 = Vector512<float>.Zero;
            Vector512<float> score2_1 = Vector512<float>.Zero;
            Vector512<float> score3_0 = Vector512<float>.Zero;
            Vector512<float> score3_1 = Vector512<float>.Zero;
            Vector512<float> score4_0 = Vector512<float>.Zero;
            Vector512<float> score4_1 = Vector512<float>.Zero;
            Vector512<float> score5_0 = Vector512<float>.Zero;
            Vector512<float> score5_1 = Vector512<float>.Zero;
            Vector512<float> score6_0 = Vector512<float>.Zero;
            Vector512<float> score6_1 = Vector512<float>.Zero;
            Vector512<float> score7_0 = Vector512<float>.Zero;
            Vector512<float> score7_1 = Vector512<float>.Zero;
            ref float keyColumn = ref packedBlock;
            ref float queryColumn = ref queryRows;
            for (int column = 0; column < d; column++)
            {
                Vector512<float> keys0 = Vector512.LoadUnsafe(ref keyColumn);
                Vector512<float> keys1 = Vector512.LoadUnsafe(ref keyColumn, (nuint)(16 * d));
                Vector512<float> query0 = Vector512.Create(queryColumn);
                score0_0 = Vector512.FusedMultiplyAdd(query0, keys0, score0_0);
                score0_1 = Vector512.FusedMultiplyAdd(query0, keys1, score0_1);
                Vector512<float> query1 = Vector512.Create(Unsafe.Add(ref queryColumn, d));
                score1_0 = Vector512.FusedMultiplyAdd(query1, keys0, score1_0);
                score1_1 = Vector512.FusedMultiplyAdd(query1, keys1, score1_1);
                Vector512<float> query2 = Vector512.Create(Unsafe.Add(ref queryColumn, 2 * d));
                score2_0 = Vector512.FusedMultiplyAdd(query2, keys0, score2_0);
                score2_1 = Vector512.FusedMultiplyAdd(query2, keys1, score2_1);
                Vector512<float> query3 = Vector512.Create(Unsafe.Add(ref queryColumn, 3 * d));
                score3_0 = Vector512.FusedMultiplyAdd(query3, keys0, score3_0);
                score3_1 = Vector512.FusedMultiplyAdd(query3, keys1, score3_1);
                Vector512<float> query4 = Vector512.Create(Unsafe.Add(ref queryColumn, 4 * d));
                score4_0 = Vector512.FusedMultiplyAdd(query4, keys0, score4_0);
                score4_1 = Vector512.FusedMultiplyAdd(query4, keys1, score4_1);
                Vector512<float> query5 = Vector512.Create(Unsafe.Add(ref queryColumn, 5 * d));
                score5_0 = Vector512.FusedMultiplyAdd(query5, keys0, score5_0);
                score5_1 = Vector512.FusedMultiplyAdd(query5, keys1, score5_1);
                Vector512<float> query6 = Vector512.Create(Unsafe.Add(ref queryColumn, 6 * d));
                score6_0 = Vector512.FusedMultiplyAdd(query6, keys0, score6_0);
                score6_1 = Vector512.FusedMultiplyAdd(query6, keys1, score6_1);
                Vector512<float> query7 = Vector512.Create(Unsafe.Add(ref queryColumn, 7 * d));
                score7_0 = Vector512.FusedMultiplyAdd(query7, keys0, score7_0);
                score7_1 = Vector512.FusedMultiplyAdd(query7, keys1, score7_1);
                keyColumn = ref Unsafe.Add(ref keyColumn, 16);
                queryColumn = ref Unsafe.Add(ref queryColumn, 1);
            }

            float scale = TPath.ScoreScale;
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            (score0_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(0));
            (score0_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(16));
            (score1_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock + 0));
            (score1_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(1 * KeyBlock + 16));
            (score2_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(2 * KeyBlock + 0));
            (score2_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(2 * KeyBlock + 16));
            (score3_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(3 * KeyBlock + 0));
            (score3_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(3 * KeyBlock + 16));
            (score4_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * KeyBlock + 0));
            (score4_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * KeyBlock + 16));
            (score5_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(5 * KeyBlock + 0));
            (score5_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(5 * KeyBlock + 16));
            (score6_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(6 * KeyBlock + 0));
            (score6_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(6 * KeyBlock + 16));
            (score7_0 * scale).StoreUnsafe(ref scoreStart, (nuint)(7 * KeyBlock + 0));
            (score7_1 * scale).StoreUnsafe(ref scoreStart, (nuint)(7 * KeyBlock + 16));
        }

        /// <summary>
        /// For each of the 8 rows: acc_r = corrections[r] * acc_r + sum over t &lt; keyCount of weights[r * KeyBlock + t] * value
        /// row t. The columns go 32 at a time (8 rows x 2 vectors: sixteen independent chains, each weight broadcast
        /// feeding two of them, 10 loads per 16 multiply-adds), then 16; a head dimension that is not a multiple of 16 ends
        /// with narrower vectors and scalars (<see cref="TileColumns"/>), the same split as the path's unrolled row code.
        /// An element's operations do not depend on which loop takes it: the 32-, 16- and 8-column loops fuse; the 4-column and scalar remainders multiply then add, as before.
        /// </summary>
        /// <remarks>
        /// Not inlined: inside the engine's tile loop the register allocator spilled this loop's bound and weight pointer
        /// for a causal d = 128 kernel (twice the instructions per key and three times the cycles under llvm-mca:
        /// bench/RESULTS.md, \"Lean micro-kernels\"). On its own it keeps them in registers; the call
        /// costs once per 64-key tile. With one vector per row a key took 9 loads (1 value row, 8 broadcasts) per 8
        /// multiply-adds: load-bound on a core with two 512-bit FMA ports and two load ports.
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
            float correction4 = corrections[4];
            float correction5 = corrections[5];
            float correction6 = corrections[6];
            float correction7 = corrections[7];
            int pairColumns = d / 32 * 32; // JIT-time constants, so the branches below fold away for the kernel's d
            for (int column = 0; column < pairColumns; column += 32)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                Vector512<float> sum0_0 = Vector512.LoadUnsafe(ref accumulator) * correction0;
                Vector512<float> sum0_1 = Vector512.LoadUnsafe(ref accumulator, 16) * correction0;
                Vector512<float> sum1_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(d)) * correction1;
                Vector512<float> sum1_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(d + 16)) * correction1;
                Vector512<float> sum2_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(2 * d)) * correction2;
                Vector512<float> sum2_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(2 * d + 16)) * correction2;
                Vector512<float> sum3_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(3 * d)) * correction3;
                Vector512<float> sum3_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(3 * d + 16)) * correction3;
                Vector512<float> sum4_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(4 * d)) * correction4;
                Vector512<float> sum4_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(4 * d + 16)) * correction4;
                Vector512<float> sum5_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(5 * d)) * correction5;
                Vector512<float> sum5_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(5 * d + 16)) * correction5;
                Vector512<float> sum6_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(6 * d)) * correction6;
                Vector512<float> sum6_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(6 * d + 16)) * correction6;
                Vector512<float> sum7_0 = Vector512.LoadUnsafe(ref accumulator, (nuint)(7 * d)) * correction7;
                Vector512<float> sum7_1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(7 * d + 16)) * correction7;
                ref float valueRow = ref Unsafe.Add(ref valueRows, column);
                nuint valueOffset = 0; // stepped, not the reference: a reference bumped past the last row would point outside the span
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++)
                {
                    Vector512<float> values0 = Vector512.LoadUnsafe(ref valueRow, valueOffset);
                    Vector512<float> values1 = Vector512.LoadUnsafe(ref valueRow, valueOffset + 16);
                    Vector512<float> weight0 = Vector512.Create(weight);
                    sum0_0 = Vector512.FusedMultiplyAdd(weight0, values0, sum0_0);
                    sum0_1 = Vector512.FusedMultiplyAdd(weight0, values1, sum0_1);
                    Vector512<float> weight1 = Vector512.Create(Unsafe.Add(ref weight, KeyBlock));
                    sum1_0 = Vector512.FusedMultiplyAdd(weight1, values0, sum1_0);
                    sum1_1 = Vector512.FusedMultiplyAdd(weight1, values1, sum1_1);
                    Vector512<float> weight2 = Vector512.Create(Unsafe.Add(ref weight, 2 * KeyBlock));
                    sum2_0 = Vector512.FusedMultiplyAdd(weight2, values0, sum2_0);
                    sum2_1 = Vector512.FusedMultiplyAdd(weight2, values1, sum2_1);
                    Vector512<float> weight3 = Vector512.Create(Unsafe.Add(ref weight, 3 * KeyBlock));
                    sum3_0 = Vector512.FusedMultiplyAdd(weight3, values0, sum3_0);
                    sum3_1 = Vector512.FusedMultiplyAdd(weight3, values1, sum3_1);
                    Vector512<float> weight4 = Vector512.Create(Unsafe.Add(ref weight, 4 * KeyBlock));
                    sum4_0 = Vector512.FusedMultiplyAdd(weight4, values0, sum4_0);
                    sum4_1 = Vector512.FusedMultiplyAdd(weight4, values1, sum4_1);
                    Vector512<float> weight5 = Vector512.Create(Unsafe.Add(ref weight, 5 * KeyBlock));
                    sum5_0 = Vector512.FusedMultiplyAdd(weight5, values0, sum5_0);
                    sum5_1 = Vector512.FusedMultiplyAdd(weight5, values1, sum5_1);
                    Vector512<float> weight6 = Vector512.Create(Unsafe.Add(ref weight, 6 * KeyBlock));
                    sum6_0 = Vector512.FusedMultiplyAdd(weight6, values0, sum6_0);
                    sum6_1 = Vector512.FusedMultiplyAdd(weight6, values1, sum6_1);
                    Vector512<float> weight7 = Vector512.Create(Unsafe.Add(ref weight, 7 * KeyBlock));
                    sum7_0 = Vector512.FusedMultiplyAdd(weight7, values0, sum7_0);
                    sum7_1 = Vector512.FusedMultiplyAdd(weight7, values1, sum7_1);
                    valueOffset += (nuint)d;
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                sum0_0.StoreUnsafe(ref accumulator);
                sum0_1.StoreUnsafe(ref accumulator, 16);
                sum1_0.StoreUnsafe(ref accumulator, (nuint)(d));
                sum1_1.StoreUnsafe(ref accumulator, (nuint)(d + 16));
                sum2_0.StoreUnsafe(ref accumulator, (nuint)(2 * d));
                sum2_1.StoreUnsafe(ref accumulator, (nuint)(2 * d + 16));
                sum3_0.StoreUnsafe(ref accumulator, (nuint)(3 * d));
                sum3_1.StoreUnsafe(ref accumulator, (nuint)(3 * d + 16));
                sum4_0.StoreUnsafe(ref accumulator, (nuint)(4 * d));
                sum4_1.StoreUnsafe(ref accumulator, (nuint)(4 * d + 16));
                sum5_0.StoreUnsafe(ref accumulator, (nuint)(5 * d));
                sum5_1.StoreUnsafe(ref accumulator, (nuint)(5 * d + 16));
                sum6_0.StoreUnsafe(ref accumulator, (nuint)(6 * d));
                sum6_1.StoreUnsafe(ref accumulator, (nuint)(6 * d + 16));
                sum7_0.StoreUnsafe(ref accumulator, (nuint)(7 * d));
                sum7_1.StoreUnsafe(ref accumulator, (nuint)(7 * d + 16));
            }

            int rest = pairColumns;
            if (d - rest >= 16)
            {
                AccumulateOneVector(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, rest);
                rest += 16;
            }

            if (d - rest >= 8)
            {
                TileColumns.Vector256(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, 8, d, rest);
                rest += 8;
            }

            if (d - rest >= 4)
            {
                TileColumns.Vector128(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, 8, d, rest);
                rest += 4;
            }

            for (; rest < d; rest++)
            {
                TileColumns.Scalar(ref accumulatorStart, corrections, ref weightStart, ref valueRows, keyCount, 8, d, rest);
            }
        }

        /// <summary>The 16 columns from <paramref name="column"/> of <see cref="AccumulateTile"/>, 8 rows x 1 vector (d mod 32 = 16..31).</summary>
        private static void AccumulateOneVector(ref float accumulatorStart, ReadOnlySpan<float> corrections, ref float weightStart, ref float valueRows, int keyCount, int column)
        {
            int d = TPath.HeadDimension;
            ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
            Vector512<float> sum0 = Vector512.LoadUnsafe(ref accumulator) * corrections[0];
            Vector512<float> sum1 = Vector512.LoadUnsafe(ref accumulator, (nuint)(d)) * corrections[1];
            Vector512<float> sum2 = Vector512.LoadUnsafe(ref accumulator, (nuint)(2 * d)) * corrections[2];
            Vector512<float> sum3 = Vector512.LoadUnsafe(ref accumulator, (nuint)(3 * d)) * corrections[3];
            Vector512<float> sum4 = Vector512.LoadUnsafe(ref accumulator, (nuint)(4 * d)) * corrections[4];
            Vector512<float> sum5 = Vector512.LoadUnsafe(ref accumulator, (nuint)(5 * d)) * corrections[5];
            Vector512<float> sum6 = Vector512.LoadUnsafe(ref accumulator, (nuint)(6 * d)) * corrections[6];
            Vector512<float> sum7 = Vector512.LoadUnsafe(ref accumulator, (nuint)(7 * d)) * corrections[7];
            ref float valueRow = ref Unsafe.Add(ref valueRows, column);
            nuint valueOffset = 0; // stepped, not the reference: a reference bumped past the last row would point outside the span
            ref float weight = ref weightStart;
            for (int key = 0; key < keyCount; key++)
            {
                Vector512<float> values = Vector512.LoadUnsafe(ref valueRow, valueOffset);
                sum0 = Vector512.FusedMultiplyAdd(Vector512.Create(weight), values, sum0);
                sum1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, KeyBlock)), values, sum1);
                sum2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, 2 * KeyBlock)), values, sum2);
                sum3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, 3 * KeyBlock)), values, sum3);
                sum4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, 4 * KeyBlock)), values, sum4);
                sum5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, 5 * KeyBlock)), values, sum5);
                sum6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, 6 * KeyBlock)), values, sum6);
                sum7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, 7 * KeyBlock)), values, sum7);
                valueOffset += (nuint)d;
                weight = ref Unsafe.Add(ref weight, 1);
            }

            sum0.StoreUnsafe(ref accumulator);
            sum1.StoreUnsafe(ref accumulator, (nuint)(d));
            sum2.StoreUnsafe(ref accumulator, (nuint)(2 * d));
            sum3.StoreUnsafe(ref accumulator, (nuint)(3 * d));
            sum4.StoreUnsafe(ref accumulator, (nuint)(4 * d));
            sum5.StoreUnsafe(ref accumulator, (nuint)(5 * d));
            sum6.StoreUnsafe(ref accumulator, (nuint)(6 * d));
            sum7.StoreUnsafe(ref accumulator, (nuint)(7 * d));
        }
    }
}
