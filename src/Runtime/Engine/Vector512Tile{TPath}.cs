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
    /// and the register tile differs by width (8 rows x 1 vector, 4 x 2, 2 x 4: eight accumulators each).
    /// Multiply-adds are fused (the machines that accelerate this width have FMA), so every JIT tier rounds alike.
    /// </remarks>
    public static class Vector512Tile<TPath>
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
            for (int column = 0; column < d; column++)
            {
                Vector512<float> keys0 = Vector512.LoadUnsafe(ref packedBlock, (nuint)(column * 16));
                Vector512<float> query0 = Vector512.Create(Unsafe.Add(ref queryRows, column));
                score0_0 = Vector512.FusedMultiplyAdd(query0, keys0, score0_0);
                Vector512<float> query1 = Vector512.Create(Unsafe.Add(ref queryRows, d + column));
                score1_0 = Vector512.FusedMultiplyAdd(query1, keys0, score1_0);
                Vector512<float> query2 = Vector512.Create(Unsafe.Add(ref queryRows, 2 * d + column));
                score2_0 = Vector512.FusedMultiplyAdd(query2, keys0, score2_0);
                Vector512<float> query3 = Vector512.Create(Unsafe.Add(ref queryRows, 3 * d + column));
                score3_0 = Vector512.FusedMultiplyAdd(query3, keys0, score3_0);
                Vector512<float> query4 = Vector512.Create(Unsafe.Add(ref queryRows, 4 * d + column));
                score4_0 = Vector512.FusedMultiplyAdd(query4, keys0, score4_0);
                Vector512<float> query5 = Vector512.Create(Unsafe.Add(ref queryRows, 5 * d + column));
                score5_0 = Vector512.FusedMultiplyAdd(query5, keys0, score5_0);
                Vector512<float> query6 = Vector512.Create(Unsafe.Add(ref queryRows, 6 * d + column));
                score6_0 = Vector512.FusedMultiplyAdd(query6, keys0, score6_0);
                Vector512<float> query7 = Vector512.Create(Unsafe.Add(ref queryRows, 7 * d + column));
                score7_0 = Vector512.FusedMultiplyAdd(query7, keys0, score7_0);
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
        /// For each of the 8 rows: acc_r = corrections[r] * acc_r + sum over t &lt; keyCount of weights[r * KeyBlock + t] * value
        /// row t. The columns go 16 at a time; a head dimension that is not a multiple of 16 ends with narrower vectors and
        /// scalars (<see cref="TileColumns"/>), the same split as the path's unrolled row code.
        /// </summary>
        /// <remarks>
        /// Not inlined: inside the engine's tile loop the register allocator spilled this loop's bound and weight pointer
        /// for a causal d = 128 kernel (49 instructions per key instead of 23; llvm-mca 13.1 against 4.1 cycles per
        /// iteration on icelake-server, 10.2 against 4.1 on znver3). On its own it keeps them in registers; the call
        /// costs once per 64-key tile.
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
            int mainColumns = d / 16 * 16; // JIT-time constants, so the remainder branches below fold away when d is a multiple of 16
            for (int column = 0; column < mainColumns; column += 16)
            {
                Vector512<float> sum0 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(column)) * correction0;
                Vector512<float> sum1 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(d + column)) * correction1;
                Vector512<float> sum2 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(2 * d + column)) * correction2;
                Vector512<float> sum3 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(3 * d + column)) * correction3;
                Vector512<float> sum4 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(4 * d + column)) * correction4;
                Vector512<float> sum5 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(5 * d + column)) * correction5;
                Vector512<float> sum6 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(6 * d + column)) * correction6;
                Vector512<float> sum7 = Vector512.LoadUnsafe(ref accumulatorStart, (nuint)(7 * d + column)) * correction7;
                for (int key = 0; key < keyCount; key++)
                {
                    Vector512<float> values = Vector512.LoadUnsafe(ref valueRows, (nuint)(key * d + column));
                    sum0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, key)), values, sum0);
                    sum1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 1 * KeyBlock + key)), values, sum1);
                    sum2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 2 * KeyBlock + key)), values, sum2);
                    sum3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 3 * KeyBlock + key)), values, sum3);
                    sum4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 4 * KeyBlock + key)), values, sum4);
                    sum5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 5 * KeyBlock + key)), values, sum5);
                    sum6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 6 * KeyBlock + key)), values, sum6);
                    sum7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weightStart, 7 * KeyBlock + key)), values, sum7);
                }

                sum0.StoreUnsafe(ref accumulatorStart, (nuint)(column));
                sum1.StoreUnsafe(ref accumulatorStart, (nuint)(d + column));
                sum2.StoreUnsafe(ref accumulatorStart, (nuint)(2 * d + column));
                sum3.StoreUnsafe(ref accumulatorStart, (nuint)(3 * d + column));
                sum4.StoreUnsafe(ref accumulatorStart, (nuint)(4 * d + column));
                sum5.StoreUnsafe(ref accumulatorStart, (nuint)(5 * d + column));
                sum6.StoreUnsafe(ref accumulatorStart, (nuint)(6 * d + column));
                sum7.StoreUnsafe(ref accumulatorStart, (nuint)(7 * d + column));
            }

            int rest = mainColumns;
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
    }
}
