using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// The scalar path for any d (the engine's <see cref="IHeadDimensionPath"/> slot), taken when no vector width is
    /// accelerated: the single-row micro-kernels over d one float at a time, and no tiles (rows run one at a time). d and the
    /// scale come from <typeparamref name="THead"/>, the kernel's generated constants, so every bound below is a JIT-time
    /// constant; nothing here depends on a particular d.
    /// </summary>
    /// <remarks>
    /// Every multiply-add is a multiply then an add, so every JIT tier rounds alike. The shapes are the vector paths' (see
    /// <see cref="Vector512Path{THead}"/>): rows of up to 16 floats are held in registers while the keys stream past; a
    /// longer row is scored four keys at a time (four independent chains, each query float read once for the four) and
    /// accumulated in passes of 16 columns. Each score and each accumulator column takes the same operations in the same
    /// order whatever the grouping.
    /// </remarks>
    /// <typeparam name="THead">The kernel's head dimension and scale (generated).</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct ScalarPath<THead> : IHeadDimensionPath
        where THead : struct, IHeadDimension
    {
        /// <summary>Floats held in registers at most: the query's in a score, the accumulator's in a pass.</summary>
        private const int Held = 16;

        /// <inheritdoc/>
        public static int HeadDimension
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension;
        }

        /// <inheritdoc/>
        public static float ScoreScale
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.ScoreScale;
        }

        /// <summary>0: no tiles, rows one at a time.</summary>
        public static int RowTile
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 0;
        }

        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension;
        }

        /// <summary>Columns in the last pass of <see cref="AccumulateBlock"/>: 1 to 16.</summary>
        private static int LastPassColumns
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ((THead.HeadDimension - 1) % Held) + 1;
        }

        /// <summary>Passes of 16 columns before the last.</summary>
        private static int FullPasses
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (THead.HeadDimension - 1) / Held;
        }

        /// <inheritdoc/>
        /// <remarks>A call of its own, a block of keys a call: the engine's row loops do not spend their inlining budget on it,
        /// and its helpers and constants all inline into it.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores)
        {
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            int count = scores.Length;
            int keyRow = 0;
            if (D <= Held)
            {
                // The query stays in registers while the keys stream past.
                float query0 = queryVector;
                float query1 = 0f, query2 = 0f, query3 = 0f, query4 = 0f, query5 = 0f, query6 = 0f, query7 = 0f, query8 = 0f,
                    query9 = 0f, query10 = 0f, query11 = 0f, query12 = 0f, query13 = 0f, query14 = 0f, query15 = 0f;
                if (D > 1) { query1 = Unsafe.Add(ref queryVector, 1); }
                if (D > 2) { query2 = Unsafe.Add(ref queryVector, 2); }
                if (D > 3) { query3 = Unsafe.Add(ref queryVector, 3); }
                if (D > 4) { query4 = Unsafe.Add(ref queryVector, 4); }
                if (D > 5) { query5 = Unsafe.Add(ref queryVector, 5); }
                if (D > 6) { query6 = Unsafe.Add(ref queryVector, 6); }
                if (D > 7) { query7 = Unsafe.Add(ref queryVector, 7); }
                if (D > 8) { query8 = Unsafe.Add(ref queryVector, 8); }
                if (D > 9) { query9 = Unsafe.Add(ref queryVector, 9); }
                if (D > 10) { query10 = Unsafe.Add(ref queryVector, 10); }
                if (D > 11) { query11 = Unsafe.Add(ref queryVector, 11); }
                if (D > 12) { query12 = Unsafe.Add(ref queryVector, 12); }
                if (D > 13) { query13 = Unsafe.Add(ref queryVector, 13); }
                if (D > 14) { query14 = Unsafe.Add(ref queryVector, 14); }
                if (D > 15) { query15 = Unsafe.Add(ref queryVector, 15); }

                for (; keyRow < count; keyRow++)
                {
                    float dot = DotHeld(ref Unsafe.Add(ref keyRows, keyRow * D), query0, query1, query2, query3, query4, query5, query6, query7,
                        query8, query9, query10, query11, query12, query13, query14, query15);
                    Unsafe.Add(ref scoreStart, keyRow) = dot * THead.ScoreScale;
                }

                return;
            }

            // Longer rows: four keys at a time, four independent chains, each query float loaded once for the four keys.
            for (; keyRow <= count - 4; keyRow += 4)
            {
                ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                float query = queryVector;
                float dot0 = query * key;
                float dot1 = query * Unsafe.Add(ref key, D);
                float dot2 = query * Unsafe.Add(ref key, 2 * D);
                float dot3 = query * Unsafe.Add(ref key, 3 * D);
                for (int column = 1; column < D; column++)
                {
                    query = Unsafe.Add(ref queryVector, column);
                    dot0 = query * Unsafe.Add(ref key, column) + dot0;
                    dot1 = query * Unsafe.Add(ref key, column + D) + dot1;
                    dot2 = query * Unsafe.Add(ref key, column + (2 * D)) + dot2;
                    dot3 = query * Unsafe.Add(ref key, column + (3 * D)) + dot3;
                }

                Unsafe.Add(ref scoreStart, keyRow) = dot0 * THead.ScoreScale;
                Unsafe.Add(ref scoreStart, keyRow + 1) = dot1 * THead.ScoreScale;
                Unsafe.Add(ref scoreStart, keyRow + 2) = dot2 * THead.ScoreScale;
                Unsafe.Add(ref scoreStart, keyRow + 3) = dot3 * THead.ScoreScale;
            }

            // The last keys one at a time.
            for (; keyRow < count; keyRow++)
            {
                ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                float dot = queryVector * key;
                for (int column = 1; column < D; column++)
                {
                    dot = Unsafe.Add(ref queryVector, column) * Unsafe.Add(ref key, column) + dot;
                }

                Unsafe.Add(ref scoreStart, keyRow) = dot * THead.ScoreScale;
            }
        }

        /// <summary>A key row times the query (held in registers), summed in column order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float DotHeld(
            ref float key, float query0, float query1, float query2, float query3, float query4, float query5, float query6, float query7,
            float query8, float query9, float query10, float query11, float query12, float query13, float query14, float query15)
        {
            float dot = query0 * key;
            if (D > 1) { dot = query1 * Unsafe.Add(ref key, 1) + dot; }
            if (D > 2) { dot = query2 * Unsafe.Add(ref key, 2) + dot; }
            if (D > 3) { dot = query3 * Unsafe.Add(ref key, 3) + dot; }
            if (D > 4) { dot = query4 * Unsafe.Add(ref key, 4) + dot; }
            if (D > 5) { dot = query5 * Unsafe.Add(ref key, 5) + dot; }
            if (D > 6) { dot = query6 * Unsafe.Add(ref key, 6) + dot; }
            if (D > 7) { dot = query7 * Unsafe.Add(ref key, 7) + dot; }
            if (D > 8) { dot = query8 * Unsafe.Add(ref key, 8) + dot; }
            if (D > 9) { dot = query9 * Unsafe.Add(ref key, 9) + dot; }
            if (D > 10) { dot = query10 * Unsafe.Add(ref key, 10) + dot; }
            if (D > 11) { dot = query11 * Unsafe.Add(ref key, 11) + dot; }
            if (D > 12) { dot = query12 * Unsafe.Add(ref key, 12) + dot; }
            if (D > 13) { dot = query13 * Unsafe.Add(ref key, 13) + dot; }
            if (D > 14) { dot = query14 * Unsafe.Add(ref key, 14) + dot; }
            if (D > 15) { dot = query15 * Unsafe.Add(ref key, 15) + dot; }

            return dot;
        }

        /// <inheritdoc/>
        /// <remarks>A call of its own, as <see cref="ScoreBlock"/>.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows)
        {
            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulator);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            if (FullPasses > 0)
            {
                for (int pass = 0; pass < FullPasses; pass++)
                {
                    AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, pass * Held, Held);
                }
            }

            AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, FullPasses * Held, LastPassColumns);
        }

        /// <summary>
        /// One pass of <see cref="AccumulateBlock"/> over the block's keys: <paramref name="columns"/> (1 to 16) columns of the
        /// accumulator from <paramref name="start"/>, held in registers (scaled by the correction first) while every key adds
        /// its weight times its value row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulatePass(ref float accumulator, float correction, ref float weights, int count, ref float valueRows, int start, int columns)
        {
            ref float accumulatorPart = ref Unsafe.Add(ref accumulator, start);
            float sum0 = 0f, sum1 = 0f, sum2 = 0f, sum3 = 0f, sum4 = 0f, sum5 = 0f, sum6 = 0f, sum7 = 0f,
                sum8 = 0f, sum9 = 0f, sum10 = 0f, sum11 = 0f, sum12 = 0f, sum13 = 0f, sum14 = 0f, sum15 = 0f;
            if (columns > 0) { sum0 = accumulatorPart * correction; }
            if (columns > 1) { sum1 = Unsafe.Add(ref accumulatorPart, 1) * correction; }
            if (columns > 2) { sum2 = Unsafe.Add(ref accumulatorPart, 2) * correction; }
            if (columns > 3) { sum3 = Unsafe.Add(ref accumulatorPart, 3) * correction; }
            if (columns > 4) { sum4 = Unsafe.Add(ref accumulatorPart, 4) * correction; }
            if (columns > 5) { sum5 = Unsafe.Add(ref accumulatorPart, 5) * correction; }
            if (columns > 6) { sum6 = Unsafe.Add(ref accumulatorPart, 6) * correction; }
            if (columns > 7) { sum7 = Unsafe.Add(ref accumulatorPart, 7) * correction; }
            if (columns > 8) { sum8 = Unsafe.Add(ref accumulatorPart, 8) * correction; }
            if (columns > 9) { sum9 = Unsafe.Add(ref accumulatorPart, 9) * correction; }
            if (columns > 10) { sum10 = Unsafe.Add(ref accumulatorPart, 10) * correction; }
            if (columns > 11) { sum11 = Unsafe.Add(ref accumulatorPart, 11) * correction; }
            if (columns > 12) { sum12 = Unsafe.Add(ref accumulatorPart, 12) * correction; }
            if (columns > 13) { sum13 = Unsafe.Add(ref accumulatorPart, 13) * correction; }
            if (columns > 14) { sum14 = Unsafe.Add(ref accumulatorPart, 14) * correction; }
            if (columns > 15) { sum15 = Unsafe.Add(ref accumulatorPart, 15) * correction; }

            ref float valuePart = ref Unsafe.Add(ref valueRows, start);
            for (int keyRow = 0; keyRow < count; keyRow++)
            {
                float weight = Unsafe.Add(ref weights, keyRow);
                if (columns > 0) { sum0 = weight * valuePart + sum0; }
                if (columns > 1) { sum1 = weight * Unsafe.Add(ref valuePart, 1) + sum1; }
                if (columns > 2) { sum2 = weight * Unsafe.Add(ref valuePart, 2) + sum2; }
                if (columns > 3) { sum3 = weight * Unsafe.Add(ref valuePart, 3) + sum3; }
                if (columns > 4) { sum4 = weight * Unsafe.Add(ref valuePart, 4) + sum4; }
                if (columns > 5) { sum5 = weight * Unsafe.Add(ref valuePart, 5) + sum5; }
                if (columns > 6) { sum6 = weight * Unsafe.Add(ref valuePart, 6) + sum6; }
                if (columns > 7) { sum7 = weight * Unsafe.Add(ref valuePart, 7) + sum7; }
                if (columns > 8) { sum8 = weight * Unsafe.Add(ref valuePart, 8) + sum8; }
                if (columns > 9) { sum9 = weight * Unsafe.Add(ref valuePart, 9) + sum9; }
                if (columns > 10) { sum10 = weight * Unsafe.Add(ref valuePart, 10) + sum10; }
                if (columns > 11) { sum11 = weight * Unsafe.Add(ref valuePart, 11) + sum11; }
                if (columns > 12) { sum12 = weight * Unsafe.Add(ref valuePart, 12) + sum12; }
                if (columns > 13) { sum13 = weight * Unsafe.Add(ref valuePart, 13) + sum13; }
                if (columns > 14) { sum14 = weight * Unsafe.Add(ref valuePart, 14) + sum14; }
                if (columns > 15) { sum15 = weight * Unsafe.Add(ref valuePart, 15) + sum15; }
                valuePart = ref Unsafe.Add(ref valuePart, D);
            }

            if (columns > 0) { accumulatorPart = sum0; }
            if (columns > 1) { Unsafe.Add(ref accumulatorPart, 1) = sum1; }
            if (columns > 2) { Unsafe.Add(ref accumulatorPart, 2) = sum2; }
            if (columns > 3) { Unsafe.Add(ref accumulatorPart, 3) = sum3; }
            if (columns > 4) { Unsafe.Add(ref accumulatorPart, 4) = sum4; }
            if (columns > 5) { Unsafe.Add(ref accumulatorPart, 5) = sum5; }
            if (columns > 6) { Unsafe.Add(ref accumulatorPart, 6) = sum6; }
            if (columns > 7) { Unsafe.Add(ref accumulatorPart, 7) = sum7; }
            if (columns > 8) { Unsafe.Add(ref accumulatorPart, 8) = sum8; }
            if (columns > 9) { Unsafe.Add(ref accumulatorPart, 9) = sum9; }
            if (columns > 10) { Unsafe.Add(ref accumulatorPart, 10) = sum10; }
            if (columns > 11) { Unsafe.Add(ref accumulatorPart, 11) = sum11; }
            if (columns > 12) { Unsafe.Add(ref accumulatorPart, 12) = sum12; }
            if (columns > 13) { Unsafe.Add(ref accumulatorPart, 13) = sum13; }
            if (columns > 14) { Unsafe.Add(ref accumulatorPart, 14) = sum14; }
            if (columns > 15) { Unsafe.Add(ref accumulatorPart, 15) = sum15; }
        }

        /// <summary>Never reached: RowTile is 0, so this path has no tiles.</summary>
        static void IHeadDimensionPath.ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores) =>
            throw new System.Diagnostics.UnreachableException();

        /// <summary>Never reached: RowTile is 0.</summary>
        static void IHeadDimensionPath.ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores) =>
            throw new System.Diagnostics.UnreachableException();

        /// <summary>Never reached: RowTile is 0.</summary>
        static void IHeadDimensionPath.AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount) =>
            throw new System.Diagnostics.UnreachableException();
    }
}
