using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// The Vector512 path for any d (the engine's <see cref="IHeadDimensionPath"/> slot): the single-row micro-kernels over
    /// d in Vector512 steps, and the engine's 512-bit tiles (<see cref="Vector512Tile{TPath}"/>). d and the scale come from
    /// <typeparamref name="THead"/>, the kernel's generated constants, so every bound below is a JIT-time constant and each
    /// kernel's d gets code of its own; nothing here depends on a particular d.
    /// </summary>
    /// <remarks>
    /// A row of d floats is <see cref="Whole"/> columns in whole Vector512s, then a tail of fewer than 16: one Vector256
    /// when 8 or more are left, one Vector128 when 4 or more are left, then floats. Multiply-adds are fused for the 512- and
    /// 256-bit pieces (the machines that accelerate this width have FMA) and a multiply then an add for the 128-bit piece and
    /// the floats, so every JIT tier rounds alike. The JIT does not unroll the loops over d, so the loops carry independent
    /// chains of their own: <see cref="ScoreBlock"/> scores four keys at a time (one chain per key, the query loaded once for
    /// the four); <see cref="AccumulateBlock"/> keeps up to 8 vectors of the accumulator in registers while the block's keys
    /// stream past (8 chains cover the latency of two FMA pipes), in passes over d.
    /// </remarks>
    /// <typeparam name="THead">The kernel's head dimension and scale (generated).</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct Vector512Path<THead> : IHeadDimensionPath
        where THead : struct, IHeadDimension
    {
        private const int Lanes = 16;

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

        /// <summary>8: the engine's 512-bit tiles, 8 rows x 16 keys; 0 when the kernel runs rows one at a time.</summary>
        public static int RowTile
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.UseTiles ? 8 : 0;
        }

        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension;
        }

        /// <summary>Columns in whole Vector512s.</summary>
        private static int Whole
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension & ~15;
        }

        /// <summary>Whether the tail holds a Vector256 (at <see cref="Whole"/>).</summary>
        private static bool Has8
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (THead.HeadDimension & 8) != 0;
        }

        /// <summary>Where the tail's Vector128 would start.</summary>
        private static int At4
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension & ~7;
        }

        /// <summary>Whether the tail holds a Vector128 (at <see cref="At4"/>).</summary>
        private static bool Has4
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (THead.HeadDimension & 4) != 0;
        }

        /// <summary>Where the tail's floats start (0 to 3 of them).</summary>
        private static int AtFloat
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension & ~3;
        }

        /// <summary>Whole vectors in the last pass of <see cref="AccumulateBlock"/>: 1 to 8 (0 when d is under 16).</summary>
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
                    Vector512<float> query = Vector512.LoadUnsafe(ref queryVector);
                    Vector512<float> dot0 = query * Vector512.LoadUnsafe(ref key);
                    Vector512<float> dot1 = query * Vector512.LoadUnsafe(ref key, (nuint)D);
                    Vector512<float> dot2 = query * Vector512.LoadUnsafe(ref key, (nuint)(2 * D));
                    Vector512<float> dot3 = query * Vector512.LoadUnsafe(ref key, (nuint)(3 * D));
                    for (nuint column = Lanes; column < (nuint)Whole; column += Lanes)
                    {
                        query = Vector512.LoadUnsafe(ref queryVector, column);
                        dot0 = Vector512.FusedMultiplyAdd(query, Vector512.LoadUnsafe(ref key, column), dot0);
                        dot1 = Vector512.FusedMultiplyAdd(query, Vector512.LoadUnsafe(ref key, column + (nuint)D), dot1);
                        dot2 = Vector512.FusedMultiplyAdd(query, Vector512.LoadUnsafe(ref key, column + (nuint)(2 * D)), dot2);
                        dot3 = Vector512.FusedMultiplyAdd(query, Vector512.LoadUnsafe(ref key, column + (nuint)(3 * D)), dot3);
                    }

                    if (Avx512F.IsSupported && Whole == D)
                    {
                        (Sum4(dot0, dot1, dot2, dot3) * THead.ScoreScale).StoreUnsafe(ref scoreStart, (nuint)keyRow);
                    }
                    else
                    {
                        Unsafe.Add(ref scoreStart, keyRow) = Finish(Vector512.Sum(dot0), ref queryVector, ref key);
                        Unsafe.Add(ref scoreStart, keyRow + 1) = Finish(Vector512.Sum(dot1), ref queryVector, ref Unsafe.Add(ref key, D));
                        Unsafe.Add(ref scoreStart, keyRow + 2) = Finish(Vector512.Sum(dot2), ref queryVector, ref Unsafe.Add(ref key, 2 * D));
                        Unsafe.Add(ref scoreStart, keyRow + 3) = Finish(Vector512.Sum(dot3), ref queryVector, ref Unsafe.Add(ref key, 3 * D));
                    }
                }
            }

            // The last keys (and every key when d is under 16) one at a time.
            for (; keyRow < count; keyRow++)
            {
                ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                float sum = 0f;
                if (Whole > 0)
                {
                    Vector512<float> dot = Vector512.LoadUnsafe(ref queryVector) * Vector512.LoadUnsafe(ref key);
                    for (nuint column = Lanes; column < (nuint)Whole; column += Lanes)
                    {
                        dot = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref queryVector, column), Vector512.LoadUnsafe(ref key, column), dot);
                    }

                    sum = Vector512.Sum(dot);
                }

                Unsafe.Add(ref scoreStart, keyRow) = Finish(sum, ref queryVector, ref key);
            }
        }

        /// <summary>
        /// [Sum(a), Sum(b), Sum(c), Sum(d)] with <see cref="Vector512.Sum{T}(Vector512{T})"/>'s tree (within each 128-bit lane (x0 + x1) + (x2 + x3), then (lane 0 + lane 1) + (lane 2 + lane 3)), four at a time: shuffles pair the lanes of
        /// different vectors, and a sum of two floats does not depend on their order, so each result has the bits of its
        /// own Sum, in a sixth of the instructions (one Sum is a chain of shuffles and adds per 128-bit lane).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
        {
            // Per 128-bit lane: [a0 + a1, a2 + a3, b0 + b1, b2 + b3], then [a0123, b0123, c0123, d0123].
            Vector512<float> ab = Avx512F.Shuffle(a, b, 0b10_00_10_00) + Avx512F.Shuffle(a, b, 0b11_01_11_01);
            Vector512<float> cd = Avx512F.Shuffle(c, d, 0b10_00_10_00) + Avx512F.Shuffle(c, d, 0b11_01_11_01);
            Vector512<float> abcd = Avx512F.Shuffle(ab, cd, 0b10_00_10_00) + Avx512F.Shuffle(ab, cd, 0b11_01_11_01);
            Vector256<float> low = abcd.GetLower(), high = abcd.GetUpper();
            return (low.GetLower() + low.GetUpper()) + (high.GetLower() + high.GetUpper());
        }

        /// <summary>
        /// Scale x (the whole vectors' sum, then the tail's pieces, each summed on its own, in column order). A piece with
        /// nothing before it starts the sum.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Finish(float sum, ref float query, ref float key)
        {
            if (Has8)
            {
                float piece = Vector256.Sum(Vector256.LoadUnsafe(ref query, (nuint)Whole) * Vector256.LoadUnsafe(ref key, (nuint)Whole));
                sum = Whole > 0 ? sum + piece : piece;
            }

            if (Has4)
            {
                float piece = Vector128.Sum(Vector128.LoadUnsafe(ref query, (nuint)At4) * Vector128.LoadUnsafe(ref key, (nuint)At4));
                sum = Whole > 0 || Has8 ? sum + piece : piece;
            }

            if (AtFloat < D)
            {
                float piece = Unsafe.Add(ref query, AtFloat) * Unsafe.Add(ref key, AtFloat);
                for (int column = AtFloat + 1; column < D; column++)
                {
                    piece = Unsafe.Add(ref query, column) * Unsafe.Add(ref key, column) + piece;
                }

                sum = Whole > 0 || Has8 || Has4 ? sum + piece : piece;
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
            Vector512<float> sum0 = default, sum1 = default, sum2 = default, sum3 = default, sum4 = default, sum5 = default, sum6 = default, sum7 = default;
            Vector256<float> tail8 = default;
            Vector128<float> tail4 = default;
            float float0 = 0f, float1 = 0f, float2 = 0f;
            bool has8 = tail && Has8, has4 = tail && Has4;
            int floats = tail ? D - AtFloat : 0;
            if (vectors > 0) { sum0 = Vector512.LoadUnsafe(ref accumulatorPart) * correction; }
            if (vectors > 1) { sum1 = Vector512.LoadUnsafe(ref accumulatorPart, 1 * Lanes) * correction; }
            if (vectors > 2) { sum2 = Vector512.LoadUnsafe(ref accumulatorPart, 2 * Lanes) * correction; }
            if (vectors > 3) { sum3 = Vector512.LoadUnsafe(ref accumulatorPart, 3 * Lanes) * correction; }
            if (vectors > 4) { sum4 = Vector512.LoadUnsafe(ref accumulatorPart, 4 * Lanes) * correction; }
            if (vectors > 5) { sum5 = Vector512.LoadUnsafe(ref accumulatorPart, 5 * Lanes) * correction; }
            if (vectors > 6) { sum6 = Vector512.LoadUnsafe(ref accumulatorPart, 6 * Lanes) * correction; }
            if (vectors > 7) { sum7 = Vector512.LoadUnsafe(ref accumulatorPart, 7 * Lanes) * correction; }
            if (has8) { tail8 = Vector256.LoadUnsafe(ref accumulator, (nuint)Whole) * correction; }
            if (has4) { tail4 = Vector128.LoadUnsafe(ref accumulator, (nuint)At4) * correction; }
            if (floats > 0) { float0 = Unsafe.Add(ref accumulator, AtFloat) * correction; }
            if (floats > 1) { float1 = Unsafe.Add(ref accumulator, AtFloat + 1) * correction; }
            if (floats > 2) { float2 = Unsafe.Add(ref accumulator, AtFloat + 2) * correction; }

            ref float valueRow = ref valueRows;
            for (int keyRow = 0; keyRow < count; keyRow++)
            {
                float weight = Unsafe.Add(ref weights, keyRow);
                Vector512<float> weight512 = Vector512.Create(weight);
                ref float valuePart = ref Unsafe.Add(ref valueRow, start);
                if (vectors > 0) { sum0 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart), sum0); }
                if (vectors > 1) { sum1 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 1 * Lanes), sum1); }
                if (vectors > 2) { sum2 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 2 * Lanes), sum2); }
                if (vectors > 3) { sum3 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 3 * Lanes), sum3); }
                if (vectors > 4) { sum4 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 4 * Lanes), sum4); }
                if (vectors > 5) { sum5 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 5 * Lanes), sum5); }
                if (vectors > 6) { sum6 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 6 * Lanes), sum6); }
                if (vectors > 7) { sum7 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 7 * Lanes), sum7); }
                if (has8) { tail8 = Vector256.FusedMultiplyAdd(Vector256.Create(weight), Vector256.LoadUnsafe(ref valueRow, (nuint)Whole), tail8); }
                if (has4) { tail4 = Vector128.Create(weight) * Vector128.LoadUnsafe(ref valueRow, (nuint)At4) + tail4; }
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
            if (has8) { tail8.StoreUnsafe(ref accumulator, (nuint)Whole); }
            if (has4) { tail4.StoreUnsafe(ref accumulator, (nuint)At4); }
            if (floats > 0) { Unsafe.Add(ref accumulator, AtFloat) = float0; }
            if (floats > 1) { Unsafe.Add(ref accumulator, AtFloat + 1) = float1; }
            if (floats > 2) { Unsafe.Add(ref accumulator, AtFloat + 2) = float2; }
        }
    }
}
