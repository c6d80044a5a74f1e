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
    /// Every multiply-add is a multiply then an add, so every JIT tier rounds alike. As in the vector paths,
    /// <see cref="ScoreBlock"/> scores four keys at a time (one chain per key) and <see cref="AccumulateBlock"/> keeps up to 8
    /// columns of the accumulator in registers while the block's keys stream past, in passes over d.
    /// </remarks>
    /// <typeparam name="THead">The kernel's head dimension and scale (generated).</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct ScalarPath<THead> : IHeadDimensionPath
        where THead : struct, IHeadDimension
    {
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

        /// <summary>Columns in the last pass of <see cref="AccumulateBlock"/>: 1 to 8.</summary>
        private static int LastPassColumns
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ((THead.HeadDimension - 1) % 8) + 1;
        }

        /// <summary>Passes of 8 columns before the last.</summary>
        private static int FullPasses
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (THead.HeadDimension - 1) / 8;
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

            // Four keys at a time: four independent chains, each query float loaded once for the four keys.
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

        /// <inheritdoc/>
        /// <remarks>A call of its own, a block of keys a call: the engine's row loops do not spend their inlining budget on it,
        /// and its helpers and constants all inline into it.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows)
        {
            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulator);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            if (FullPasses > 0)
            {
                for (int pass = 0; pass < FullPasses; pass++)
                {
                    AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, pass * 8, 8);
                }
            }

            AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, FullPasses * 8, LastPassColumns);
        }

        /// <summary>
        /// One pass of <see cref="AccumulateBlock"/> over the block's keys: <paramref name="columns"/> (1 to 8) columns of the
        /// accumulator from <paramref name="start"/>, held in registers (scaled by the correction first) while every key adds
        /// its weight times its value row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulatePass(ref float accumulator, float correction, ref float weights, int count, ref float valueRows, int start, int columns)
        {
            ref float accumulatorPart = ref Unsafe.Add(ref accumulator, start);
            float sum0 = 0f, sum1 = 0f, sum2 = 0f, sum3 = 0f, sum4 = 0f, sum5 = 0f, sum6 = 0f, sum7 = 0f;
            if (columns > 0) { sum0 = accumulatorPart * correction; }
            if (columns > 1) { sum1 = Unsafe.Add(ref accumulatorPart, 1) * correction; }
            if (columns > 2) { sum2 = Unsafe.Add(ref accumulatorPart, 2) * correction; }
            if (columns > 3) { sum3 = Unsafe.Add(ref accumulatorPart, 3) * correction; }
            if (columns > 4) { sum4 = Unsafe.Add(ref accumulatorPart, 4) * correction; }
            if (columns > 5) { sum5 = Unsafe.Add(ref accumulatorPart, 5) * correction; }
            if (columns > 6) { sum6 = Unsafe.Add(ref accumulatorPart, 6) * correction; }
            if (columns > 7) { sum7 = Unsafe.Add(ref accumulatorPart, 7) * correction; }

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
        }
    }
}
