using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The Vector128 path for any d (the engine's <see cref="IHeadDimensionPath"/> slot): the single-row micro-kernels over
    /// d in Vector128 steps, and the engine's 128-bit tiles (<see cref="Vector128Tile{TPath}"/>). d and the scale come from
    /// <typeparamref name="THead"/>, the kernel's generated constants, so every bound below is a JIT-time constant and each
    /// kernel's d gets code of its own; nothing here depends on a particular d.
    /// </summary>
    /// <remarks>
    /// A row of d floats is <see cref="Whole"/> columns in whole Vector128s, then a tail of fewer than 4 floats. Every
    /// multiply-add is a multiply then an add (this fallback's machines may lack FMA), so every JIT tier rounds alike. The
    /// JIT does not unroll the loops over d, so the loops carry independent chains of their own:
    /// <see cref="ScoreBlock"/> scores four keys at a time (one chain per key, the query loaded once for the four);
    /// <see cref="AccumulateBlock"/> keeps up to 8 vectors of the accumulator in registers while the block's keys stream past
    /// (8 chains cover the latency of two FMA pipes), in passes over d.
    /// </remarks>
    /// <typeparam name="THead">The kernel's head dimension and scale (generated).</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct Vector128Path<THead> : IHeadDimensionPath
        where THead : struct, IHeadDimension
    {
        private const int Lanes = 4;

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

        /// <summary>2: the engine's 128-bit tiles, 2 rows x 16 keys; 0 when the kernel runs rows one at a time.</summary>
        public static int RowTile
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.UseTiles ? 2 : 0;
        }

        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension;
        }

        /// <summary>Columns in whole Vector128s.</summary>
        private static int Whole
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension & ~3;
        }

        /// <summary>Where the tail's floats start (0 to 3 of them): right after the whole vectors.</summary>
        private static int AtFloat
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension & ~3;
        }

        /// <summary>Whole vectors in the last pass of <see cref="AccumulateBlock"/>: 1 to 8 (0 when d is under 4).</summary>
        private static int LastPassVectors
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension < Lanes ? 0 : ((THead.HeadDimension / Lanes) - 1) % 8 + 1;
        }

        /// <summary>Passes of 8 whole vectors before the last.</summary>
        private static int FullPasses
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension < Lanes ? 0 : ((THead.HeadDimension / Lanes) - 1) / 8;
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
            if (Whole > 0)
            {
                // Four keys at a time: four independent chains, each query vector loaded once for the four keys.
                for (; keyRow <= count - 4; keyRow += 4)
                {
                    ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                    Vector128<float> query = Vector128.LoadUnsafe(ref queryVector);
                    Vector128<float> dot0 = query * Vector128.LoadUnsafe(ref key);
                    Vector128<float> dot1 = query * Vector128.LoadUnsafe(ref key, (nuint)D);
                    Vector128<float> dot2 = query * Vector128.LoadUnsafe(ref key, (nuint)(2 * D));
                    Vector128<float> dot3 = query * Vector128.LoadUnsafe(ref key, (nuint)(3 * D));
                    for (nuint column = Lanes; column < (nuint)Whole; column += Lanes)
                    {
                        query = Vector128.LoadUnsafe(ref queryVector, column);
                        dot0 = query * Vector128.LoadUnsafe(ref key, column) + dot0;
                        dot1 = query * Vector128.LoadUnsafe(ref key, column + (nuint)D) + dot1;
                        dot2 = query * Vector128.LoadUnsafe(ref key, column + (nuint)(2 * D)) + dot2;
                        dot3 = query * Vector128.LoadUnsafe(ref key, column + (nuint)(3 * D)) + dot3;
                    }

                    Unsafe.Add(ref scoreStart, keyRow) = Finish(Vector128.Sum(dot0), ref queryVector, ref key);
                    Unsafe.Add(ref scoreStart, keyRow + 1) = Finish(Vector128.Sum(dot1), ref queryVector, ref Unsafe.Add(ref key, D));
                    Unsafe.Add(ref scoreStart, keyRow + 2) = Finish(Vector128.Sum(dot2), ref queryVector, ref Unsafe.Add(ref key, 2 * D));
                    Unsafe.Add(ref scoreStart, keyRow + 3) = Finish(Vector128.Sum(dot3), ref queryVector, ref Unsafe.Add(ref key, 3 * D));
                }
            }

            // The last keys (and every key when d is under 4) one at a time.
            for (; keyRow < count; keyRow++)
            {
                ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                float sum = 0f;
                if (Whole > 0)
                {
                    Vector128<float> dot = Vector128.LoadUnsafe(ref queryVector) * Vector128.LoadUnsafe(ref key);
                    for (nuint column = Lanes; column < (nuint)Whole; column += Lanes)
                    {
                        dot = Vector128.LoadUnsafe(ref queryVector, column) * Vector128.LoadUnsafe(ref key, column) + dot;
                    }

                    sum = Vector128.Sum(dot);
                }

                Unsafe.Add(ref scoreStart, keyRow) = Finish(sum, ref queryVector, ref key);
            }
        }

        /// <summary>
        /// Scale x (the whole vectors' sum, then the tail's pieces, each summed on its own, in column order). A piece with
        /// nothing before it starts the sum.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Finish(float sum, ref float query, ref float key)
        {
            if (AtFloat < D)
            {
                float piece = Unsafe.Add(ref query, AtFloat) * Unsafe.Add(ref key, AtFloat);
                for (int column = AtFloat + 1; column < D; column++)
                {
                    piece = Unsafe.Add(ref query, column) * Unsafe.Add(ref key, column) + piece;
                }

                sum = Whole > 0 ? sum + piece : piece;
            }

            return sum * THead.ScoreScale;
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
                    AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, pass * 8 * Lanes, 8, tail: false);
                }
            }

            AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, FullPasses * 8 * Lanes, LastPassVectors, tail: true);
        }

        /// <summary>
        /// One pass of <see cref="AccumulateBlock"/> over the block's keys: <paramref name="vectors"/> (0 to 8) whole vectors of
        /// the accumulator from column <paramref name="start"/>, and with <paramref name="tail"/> the tail's pieces, held in
        /// registers (scaled by the correction first) while every key adds its weight times its value row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulatePass(ref float accumulator, float correction, ref float weights, int count, ref float valueRows, int start, int vectors, bool tail)
        {
            ref float accumulatorPart = ref Unsafe.Add(ref accumulator, start);
            Vector128<float> sum0 = default, sum1 = default, sum2 = default, sum3 = default, sum4 = default, sum5 = default, sum6 = default, sum7 = default;
            float float0 = 0f, float1 = 0f, float2 = 0f;
            int floats = tail ? D - AtFloat : 0;
            if (vectors > 0) { sum0 = Vector128.LoadUnsafe(ref accumulatorPart) * correction; }
            if (vectors > 1) { sum1 = Vector128.LoadUnsafe(ref accumulatorPart, 1 * Lanes) * correction; }
            if (vectors > 2) { sum2 = Vector128.LoadUnsafe(ref accumulatorPart, 2 * Lanes) * correction; }
            if (vectors > 3) { sum3 = Vector128.LoadUnsafe(ref accumulatorPart, 3 * Lanes) * correction; }
            if (vectors > 4) { sum4 = Vector128.LoadUnsafe(ref accumulatorPart, 4 * Lanes) * correction; }
            if (vectors > 5) { sum5 = Vector128.LoadUnsafe(ref accumulatorPart, 5 * Lanes) * correction; }
            if (vectors > 6) { sum6 = Vector128.LoadUnsafe(ref accumulatorPart, 6 * Lanes) * correction; }
            if (vectors > 7) { sum7 = Vector128.LoadUnsafe(ref accumulatorPart, 7 * Lanes) * correction; }
            if (floats > 0) { float0 = Unsafe.Add(ref accumulator, AtFloat) * correction; }
            if (floats > 1) { float1 = Unsafe.Add(ref accumulator, AtFloat + 1) * correction; }
            if (floats > 2) { float2 = Unsafe.Add(ref accumulator, AtFloat + 2) * correction; }

            ref float valueRow = ref valueRows;
            for (int keyRow = 0; keyRow < count; keyRow++)
            {
                float weight = Unsafe.Add(ref weights, keyRow);
                Vector128<float> weight128 = Vector128.Create(weight);
                ref float valuePart = ref Unsafe.Add(ref valueRow, start);
                if (vectors > 0) { sum0 = weight128 * Vector128.LoadUnsafe(ref valuePart) + sum0; }
                if (vectors > 1) { sum1 = weight128 * Vector128.LoadUnsafe(ref valuePart, 1 * Lanes) + sum1; }
                if (vectors > 2) { sum2 = weight128 * Vector128.LoadUnsafe(ref valuePart, 2 * Lanes) + sum2; }
                if (vectors > 3) { sum3 = weight128 * Vector128.LoadUnsafe(ref valuePart, 3 * Lanes) + sum3; }
                if (vectors > 4) { sum4 = weight128 * Vector128.LoadUnsafe(ref valuePart, 4 * Lanes) + sum4; }
                if (vectors > 5) { sum5 = weight128 * Vector128.LoadUnsafe(ref valuePart, 5 * Lanes) + sum5; }
                if (vectors > 6) { sum6 = weight128 * Vector128.LoadUnsafe(ref valuePart, 6 * Lanes) + sum6; }
                if (vectors > 7) { sum7 = weight128 * Vector128.LoadUnsafe(ref valuePart, 7 * Lanes) + sum7; }
                if (floats > 0) { float0 = weight * Unsafe.Add(ref valueRow, AtFloat) + float0; }
                if (floats > 1) { float1 = weight * Unsafe.Add(ref valueRow, AtFloat + 1) + float1; }
                if (floats > 2) { float2 = weight * Unsafe.Add(ref valueRow, AtFloat + 2) + float2; }
                valueRow = ref Unsafe.Add(ref valueRow, D);
            }

            if (vectors > 0) { sum0.StoreUnsafe(ref accumulatorPart); }
            if (vectors > 1) { sum1.StoreUnsafe(ref accumulatorPart, 1 * Lanes); }
            if (vectors > 2) { sum2.StoreUnsafe(ref accumulatorPart, 2 * Lanes); }
            if (vectors > 3) { sum3.StoreUnsafe(ref accumulatorPart, 3 * Lanes); }
            if (vectors > 4) { sum4.StoreUnsafe(ref accumulatorPart, 4 * Lanes); }
            if (vectors > 5) { sum5.StoreUnsafe(ref accumulatorPart, 5 * Lanes); }
            if (vectors > 6) { sum6.StoreUnsafe(ref accumulatorPart, 6 * Lanes); }
            if (vectors > 7) { sum7.StoreUnsafe(ref accumulatorPart, 7 * Lanes); }
            if (floats > 0) { Unsafe.Add(ref accumulator, AtFloat) = float0; }
            if (floats > 1) { Unsafe.Add(ref accumulator, AtFloat + 1) = float1; }
            if (floats > 2) { Unsafe.Add(ref accumulator, AtFloat + 2) = float2; }
        }
    }
}
