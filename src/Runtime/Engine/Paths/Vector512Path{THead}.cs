using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// The Vector512 path for any d (the engine's <see cref="IHeadDimensionPath"/> slot): the single-row micro-kernels
    /// over d in Vector512 steps, and the engine's 512-bit tiles (<see cref="Vector512Tile{TPath}"/>). d and the scale
    /// come from <typeparamref name="THead"/>, the kernel's generated constants, so every bound below is a JIT-time
    /// constant and each kernel's d gets code of its own; nothing here depends on a particular d.
    /// </summary>
    /// <remarks>
    /// <para>A row of d floats is <see cref="Whole"/> columns in whole Vector512s, then a tail of fewer than 16: one
    /// Vector256 when 8 or more are left, one Vector128 when 4 or more are left, then floats. Multiply-adds are fused
    /// for the 512- and 256-bit pieces (the machines that accelerate this width have FMA) and a multiply then an add
    /// for the 128-bit piece and the floats, so every JIT tier rounds alike.</para>
    /// <para>The shapes follow the hardware, for any d: rows of up to 16 vectors are held in registers (the query's in
    /// <see cref="ScoreBlock"/>, the accumulator's in <see cref="AccumulateBlock"/>) while the keys stream past, a
    /// key's loads at fixed offsets written out one statement a vector (a statement past d is a JIT-time false and
    /// compiles to nothing) in one loop body, so every load instruction strides by one row per key, which the hardware
    /// prefetchers follow; the horizontal sums of four keys are taken together (<see cref="Sum4"/>: Vector512.Sum's
    /// tree, so the same bits). The shapes were measured against the emitted paths and the alternatives
    /// (bench/RESULTS.md, "Head-dimension paths in the runtime"): a loop over d with four keys interleaved, and four
    /// copies of the key body (four times the load instructions), were slower on decode steps whose keys stream from L3
    /// or memory; accumulator passes of 8 vectors were slower than one of 16. Longer rows: <see cref="ScoreBlock"/>
    /// loops over d per key; <see cref="AccumulateBlock"/> takes passes of 16 vectors.</para>
    /// <para>Each score and each accumulator column takes the same operations in the same order whatever the grouping:
    /// a key's products summed in column order (the whole vectors into one vector, then each tail piece on its own), an
    /// accumulator column scaled by the correction, then the keys' products added in key order.</para>
    /// </remarks>
    /// <typeparam name="THead">The kernel's head dimension and scale (generated).</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct Vector512Path<THead> : IHeadDimensionPath
        where THead : struct, IHeadDimension
    {
        private const int Lanes = 16;

        /// <summary>Whole vectors held in registers at most: the query's in a score, the accumulator's in a pass.</summary>
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

        /// <summary>8: the engine's 512-bit tiles, 8 rows x 16 keys; 0 when the kernel runs rows one at a time.</summary>
        public static int RowTile
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.UseTiles ? 8 : 0;
        }

        /// <summary>d.</summary>
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension;
        }

        /// <summary>Whole Vector512s in a row.</summary>
        private static int Vectors
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension / Lanes;
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

        /// <summary>Whole vectors in the last pass of <see cref="AccumulateBlock"/>: 1 to 16 (0 when d is under 16).</summary>
        private static int LastPassVectors
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension < Lanes ? 0 : ((THead.HeadDimension / Lanes) - 1) % Held + 1;
        }

        /// <summary>Passes of 16 whole vectors before the last.</summary>
        private static int FullPasses
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => THead.HeadDimension < Lanes ? 0 : ((THead.HeadDimension / Lanes) - 1) / Held;
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
            if (Vectors > 0 && Vectors <= Held)
            {
                // The query's whole vectors stay in registers while the keys stream past. Four keys a step through one loop
                // body (so one key's load instructions), their dot vectors shifted along four registers for the joint sums.
                Vector512<float> query0 = Vector512.LoadUnsafe(ref queryVector);
                Vector512<float> query1 = default, query2 = default, query3 = default, query4 = default, query5 = default, query6 = default, query7 = default,
                    query8 = default, query9 = default, query10 = default, query11 = default, query12 = default, query13 = default, query14 = default, query15 = default;
                if (Vectors > 1) { query1 = Vector512.LoadUnsafe(ref queryVector, 1 * Lanes); }
                if (Vectors > 2) { query2 = Vector512.LoadUnsafe(ref queryVector, 2 * Lanes); }
                if (Vectors > 3) { query3 = Vector512.LoadUnsafe(ref queryVector, 3 * Lanes); }
                if (Vectors > 4) { query4 = Vector512.LoadUnsafe(ref queryVector, 4 * Lanes); }
                if (Vectors > 5) { query5 = Vector512.LoadUnsafe(ref queryVector, 5 * Lanes); }
                if (Vectors > 6) { query6 = Vector512.LoadUnsafe(ref queryVector, 6 * Lanes); }
                if (Vectors > 7) { query7 = Vector512.LoadUnsafe(ref queryVector, 7 * Lanes); }
                if (Vectors > 8) { query8 = Vector512.LoadUnsafe(ref queryVector, 8 * Lanes); }
                if (Vectors > 9) { query9 = Vector512.LoadUnsafe(ref queryVector, 9 * Lanes); }
                if (Vectors > 10) { query10 = Vector512.LoadUnsafe(ref queryVector, 10 * Lanes); }
                if (Vectors > 11) { query11 = Vector512.LoadUnsafe(ref queryVector, 11 * Lanes); }
                if (Vectors > 12) { query12 = Vector512.LoadUnsafe(ref queryVector, 12 * Lanes); }
                if (Vectors > 13) { query13 = Vector512.LoadUnsafe(ref queryVector, 13 * Lanes); }
                if (Vectors > 14) { query14 = Vector512.LoadUnsafe(ref queryVector, 14 * Lanes); }
                if (Vectors > 15) { query15 = Vector512.LoadUnsafe(ref queryVector, 15 * Lanes); }

                Vector512<float> dot0 = default, dot1 = default, dot2 = default, dot3 = default;
                for (; keyRow <= count - 4; keyRow += 4)
                {
                    ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                    for (int step = 0; step < 4; step++)
                    {
                        Vector512<float> keyDot = DotHeld(ref Unsafe.Add(ref key, step * D), query0, query1, query2, query3, query4, query5, query6, query7,
                            query8, query9, query10, query11, query12, query13, query14, query15);
                        dot0 = dot1;
                        dot1 = dot2;
                        dot2 = dot3;
                        dot3 = keyDot;
                    }

                    Finish4(dot0, dot1, dot2, dot3, ref queryVector, ref key, ref Unsafe.Add(ref scoreStart, keyRow));
                }

                for (; keyRow < count; keyRow++)
                {
                    ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                    Vector512<float> keyDot = DotHeld(ref key, query0, query1, query2, query3, query4, query5, query6, query7,
                        query8, query9, query10, query11, query12, query13, query14, query15);
                    Unsafe.Add(ref scoreStart, keyRow) = Finish(Vector512.Sum(keyDot), ref queryVector, ref key);
                }
            }
            else
            {
                // Rows of more than 16 vectors (or of none): a loop over d per key, the query read from memory.
                for (; keyRow < count; keyRow++)
                {
                    ref float key = ref Unsafe.Add(ref keyRows, keyRow * D);
                    float sum = 0f;
                    if (Vectors > 0)
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
        }

        /// <summary>A key row's whole vectors times the query's (held in registers), summed in column order into one vector.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> DotHeld(
            ref float key, Vector512<float> query0, Vector512<float> query1, Vector512<float> query2, Vector512<float> query3,
            Vector512<float> query4, Vector512<float> query5, Vector512<float> query6, Vector512<float> query7,
            Vector512<float> query8, Vector512<float> query9, Vector512<float> query10, Vector512<float> query11,
            Vector512<float> query12, Vector512<float> query13, Vector512<float> query14, Vector512<float> query15)
        {
            Vector512<float> dot = query0 * Vector512.LoadUnsafe(ref key);
            if (Vectors > 1) { dot = Vector512.FusedMultiplyAdd(query1, Vector512.LoadUnsafe(ref key, 1 * Lanes), dot); }
            if (Vectors > 2) { dot = Vector512.FusedMultiplyAdd(query2, Vector512.LoadUnsafe(ref key, 2 * Lanes), dot); }
            if (Vectors > 3) { dot = Vector512.FusedMultiplyAdd(query3, Vector512.LoadUnsafe(ref key, 3 * Lanes), dot); }
            if (Vectors > 4) { dot = Vector512.FusedMultiplyAdd(query4, Vector512.LoadUnsafe(ref key, 4 * Lanes), dot); }
            if (Vectors > 5) { dot = Vector512.FusedMultiplyAdd(query5, Vector512.LoadUnsafe(ref key, 5 * Lanes), dot); }
            if (Vectors > 6) { dot = Vector512.FusedMultiplyAdd(query6, Vector512.LoadUnsafe(ref key, 6 * Lanes), dot); }
            if (Vectors > 7) { dot = Vector512.FusedMultiplyAdd(query7, Vector512.LoadUnsafe(ref key, 7 * Lanes), dot); }
            if (Vectors > 8) { dot = Vector512.FusedMultiplyAdd(query8, Vector512.LoadUnsafe(ref key, 8 * Lanes), dot); }
            if (Vectors > 9) { dot = Vector512.FusedMultiplyAdd(query9, Vector512.LoadUnsafe(ref key, 9 * Lanes), dot); }
            if (Vectors > 10) { dot = Vector512.FusedMultiplyAdd(query10, Vector512.LoadUnsafe(ref key, 10 * Lanes), dot); }
            if (Vectors > 11) { dot = Vector512.FusedMultiplyAdd(query11, Vector512.LoadUnsafe(ref key, 11 * Lanes), dot); }
            if (Vectors > 12) { dot = Vector512.FusedMultiplyAdd(query12, Vector512.LoadUnsafe(ref key, 12 * Lanes), dot); }
            if (Vectors > 13) { dot = Vector512.FusedMultiplyAdd(query13, Vector512.LoadUnsafe(ref key, 13 * Lanes), dot); }
            if (Vectors > 14) { dot = Vector512.FusedMultiplyAdd(query14, Vector512.LoadUnsafe(ref key, 14 * Lanes), dot); }
            if (Vectors > 15) { dot = Vector512.FusedMultiplyAdd(query15, Vector512.LoadUnsafe(ref key, 15 * Lanes), dot); }

            return dot;
        }

        /// <summary>The scores of four consecutive keys from their whole vectors' products (<see cref="Finish"/> for each).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Finish4(Vector512<float> dot0, Vector512<float> dot1, Vector512<float> dot2, Vector512<float> dot3,
            ref float query, ref float key, ref float score)
        {
            if (Avx512F.IsSupported && Whole == D)
            {
                (Sum4(dot0, dot1, dot2, dot3) * THead.ScoreScale).StoreUnsafe(ref score);
            }
            else if (Avx512F.IsSupported)
            {
                Vector128<float> sums = Sum4(dot0, dot1, dot2, dot3);
                score = Finish(sums.ToScalar(), ref query, ref key);
                Unsafe.Add(ref score, 1) = Finish(sums.GetElement(1), ref query, ref Unsafe.Add(ref key, D));
                Unsafe.Add(ref score, 2) = Finish(sums.GetElement(2), ref query, ref Unsafe.Add(ref key, 2 * D));
                Unsafe.Add(ref score, 3) = Finish(sums.GetElement(3), ref query, ref Unsafe.Add(ref key, 3 * D));
            }
            else
            {
                score = Finish(Vector512.Sum(dot0), ref query, ref key);
                Unsafe.Add(ref score, 1) = Finish(Vector512.Sum(dot1), ref query, ref Unsafe.Add(ref key, D));
                Unsafe.Add(ref score, 2) = Finish(Vector512.Sum(dot2), ref query, ref Unsafe.Add(ref key, 2 * D));
                Unsafe.Add(ref score, 3) = Finish(Vector512.Sum(dot3), ref query, ref Unsafe.Add(ref key, 3 * D));
            }
        }

        /// <summary>
        /// [Sum(a), Sum(b), Sum(c), Sum(d)] by <see cref="Vector512.Sum{T}(Vector512{T})"/>'s tree (within each 128-bit
        /// lane (x0 + x1) + (x2 + x3), then (lane 0 + lane 1) + (lane 2 + lane 3)), four vectors at once: shuffles pair
        /// the lanes of different vectors, and a sum of two floats does not depend on their order, so each result has
        /// the bits of its own Sum, in a sixth of the instructions (one Sum is a chain of shuffles and adds per 128-bit
        /// lane).
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
                sum = Vectors > 0 ? sum + piece : piece;
            }

            if (Has4)
            {
                float piece = Vector128.Sum(Vector128.LoadUnsafe(ref query, (nuint)At4) * Vector128.LoadUnsafe(ref key, (nuint)At4));
                sum = Vectors > 0 || Has8 ? sum + piece : piece;
            }

            if (AtFloat < D)
            {
                float piece = Unsafe.Add(ref query, AtFloat) * Unsafe.Add(ref key, AtFloat);
                for (int column = AtFloat + 1; column < D; column++)
                {
                    piece = Unsafe.Add(ref query, column) * Unsafe.Add(ref key, column) + piece;
                }

                sum = Vectors > 0 || Has8 || Has4 ? sum + piece : piece;
            }

            return sum * THead.ScoreScale;
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
                    AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, pass * Held * Lanes, Held, tail: false);
                }
            }

            AccumulatePass(ref accumulatorStart, correction, ref weightStart, weights.Length, ref valueRows, FullPasses * Held * Lanes, LastPassVectors, tail: true);
        }

        /// <summary>
        /// One pass of <see cref="AccumulateBlock"/> over the block's keys: <paramref name="vectors"/> (0 to 16) whole
        /// vectors of the accumulator from column <paramref name="start"/>, and with <paramref name="tail"/> the tail's
        /// pieces, held in registers (scaled by the correction first) while every key adds its weight times its value
        /// row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulatePass(ref float accumulator, float correction, ref float weights, int count, ref float valueRows,
            int start, int vectors, bool tail)
        {
            ref float accumulatorPart = ref Unsafe.Add(ref accumulator, start);
            Vector512<float> sum0 = default, sum1 = default, sum2 = default, sum3 = default, sum4 = default, sum5 = default, sum6 = default, sum7 = default,
                sum8 = default, sum9 = default, sum10 = default, sum11 = default, sum12 = default, sum13 = default, sum14 = default, sum15 = default;
            Vector256<float> tail8 = default;
            Vector128<float> tail4 = default;
            float float0 = 0f, float1 = 0f, float2 = 0f;
            int floats = tail ? D - AtFloat : 0;
            if (vectors > 0) { sum0 = Vector512.LoadUnsafe(ref accumulatorPart) * correction; }
            if (vectors > 1) { sum1 = Vector512.LoadUnsafe(ref accumulatorPart, 1 * Lanes) * correction; }
            if (vectors > 2) { sum2 = Vector512.LoadUnsafe(ref accumulatorPart, 2 * Lanes) * correction; }
            if (vectors > 3) { sum3 = Vector512.LoadUnsafe(ref accumulatorPart, 3 * Lanes) * correction; }
            if (vectors > 4) { sum4 = Vector512.LoadUnsafe(ref accumulatorPart, 4 * Lanes) * correction; }
            if (vectors > 5) { sum5 = Vector512.LoadUnsafe(ref accumulatorPart, 5 * Lanes) * correction; }
            if (vectors > 6) { sum6 = Vector512.LoadUnsafe(ref accumulatorPart, 6 * Lanes) * correction; }
            if (vectors > 7) { sum7 = Vector512.LoadUnsafe(ref accumulatorPart, 7 * Lanes) * correction; }
            if (vectors > 8) { sum8 = Vector512.LoadUnsafe(ref accumulatorPart, 8 * Lanes) * correction; }
            if (vectors > 9) { sum9 = Vector512.LoadUnsafe(ref accumulatorPart, 9 * Lanes) * correction; }
            if (vectors > 10) { sum10 = Vector512.LoadUnsafe(ref accumulatorPart, 10 * Lanes) * correction; }
            if (vectors > 11) { sum11 = Vector512.LoadUnsafe(ref accumulatorPart, 11 * Lanes) * correction; }
            if (vectors > 12) { sum12 = Vector512.LoadUnsafe(ref accumulatorPart, 12 * Lanes) * correction; }
            if (vectors > 13) { sum13 = Vector512.LoadUnsafe(ref accumulatorPart, 13 * Lanes) * correction; }
            if (vectors > 14) { sum14 = Vector512.LoadUnsafe(ref accumulatorPart, 14 * Lanes) * correction; }
            if (vectors > 15) { sum15 = Vector512.LoadUnsafe(ref accumulatorPart, 15 * Lanes) * correction; }
            if (tail && Has8) { tail8 = Vector256.LoadUnsafe(ref accumulator, (nuint)Whole) * correction; }
            if (tail && Has4) { tail4 = Vector128.LoadUnsafe(ref accumulator, (nuint)At4) * correction; }
            if (floats > 0) { float0 = Unsafe.Add(ref accumulator, AtFloat) * correction; }
            if (floats > 1) { float1 = Unsafe.Add(ref accumulator, AtFloat + 1) * correction; }
            if (floats > 2) { float2 = Unsafe.Add(ref accumulator, AtFloat + 2) * correction; }

            ref float valuePart = ref Unsafe.Add(ref valueRows, start);
            for (int keyRow = 0; keyRow < count; keyRow++)
            {
                Vector512<float> weight512 = Vector512.Create(Unsafe.Add(ref weights, keyRow));
                if (vectors > 0) { sum0 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart), sum0); }
                if (vectors > 1) { sum1 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 1 * Lanes), sum1); }
                if (vectors > 2) { sum2 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 2 * Lanes), sum2); }
                if (vectors > 3) { sum3 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 3 * Lanes), sum3); }
                if (vectors > 4) { sum4 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 4 * Lanes), sum4); }
                if (vectors > 5) { sum5 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 5 * Lanes), sum5); }
                if (vectors > 6) { sum6 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 6 * Lanes), sum6); }
                if (vectors > 7) { sum7 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 7 * Lanes), sum7); }
                if (vectors > 8) { sum8 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 8 * Lanes), sum8); }
                if (vectors > 9) { sum9 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 9 * Lanes), sum9); }
                if (vectors > 10) { sum10 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 10 * Lanes), sum10); }
                if (vectors > 11) { sum11 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 11 * Lanes), sum11); }
                if (vectors > 12) { sum12 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 12 * Lanes), sum12); }
                if (vectors > 13) { sum13 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 13 * Lanes), sum13); }
                if (vectors > 14) { sum14 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 14 * Lanes), sum14); }
                if (vectors > 15) { sum15 = Vector512.FusedMultiplyAdd(weight512, Vector512.LoadUnsafe(ref valuePart, 15 * Lanes), sum15); }
                if (tail && Has8) { tail8 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref weights, keyRow)), Vector256.LoadUnsafe(ref valuePart, (nuint)(Whole - start)), tail8); }
                if (tail && Has4) { tail4 = Vector128.Create(Unsafe.Add(ref weights, keyRow)) * Vector128.LoadUnsafe(ref valuePart, (nuint)(At4 - start)) + tail4; }
                if (floats > 0) { float0 = Unsafe.Add(ref weights, keyRow) * Unsafe.Add(ref valuePart, AtFloat - start) + float0; }
                if (floats > 1) { float1 = Unsafe.Add(ref weights, keyRow) * Unsafe.Add(ref valuePart, AtFloat + 1 - start) + float1; }
                if (floats > 2) { float2 = Unsafe.Add(ref weights, keyRow) * Unsafe.Add(ref valuePart, AtFloat + 2 - start) + float2; }
                valuePart = ref Unsafe.Add(ref valuePart, D);
            }

            if (vectors > 0) { sum0.StoreUnsafe(ref accumulatorPart); }
            if (vectors > 1) { sum1.StoreUnsafe(ref accumulatorPart, 1 * Lanes); }
            if (vectors > 2) { sum2.StoreUnsafe(ref accumulatorPart, 2 * Lanes); }
            if (vectors > 3) { sum3.StoreUnsafe(ref accumulatorPart, 3 * Lanes); }
            if (vectors > 4) { sum4.StoreUnsafe(ref accumulatorPart, 4 * Lanes); }
            if (vectors > 5) { sum5.StoreUnsafe(ref accumulatorPart, 5 * Lanes); }
            if (vectors > 6) { sum6.StoreUnsafe(ref accumulatorPart, 6 * Lanes); }
            if (vectors > 7) { sum7.StoreUnsafe(ref accumulatorPart, 7 * Lanes); }
            if (vectors > 8) { sum8.StoreUnsafe(ref accumulatorPart, 8 * Lanes); }
            if (vectors > 9) { sum9.StoreUnsafe(ref accumulatorPart, 9 * Lanes); }
            if (vectors > 10) { sum10.StoreUnsafe(ref accumulatorPart, 10 * Lanes); }
            if (vectors > 11) { sum11.StoreUnsafe(ref accumulatorPart, 11 * Lanes); }
            if (vectors > 12) { sum12.StoreUnsafe(ref accumulatorPart, 12 * Lanes); }
            if (vectors > 13) { sum13.StoreUnsafe(ref accumulatorPart, 13 * Lanes); }
            if (vectors > 14) { sum14.StoreUnsafe(ref accumulatorPart, 14 * Lanes); }
            if (vectors > 15) { sum15.StoreUnsafe(ref accumulatorPart, 15 * Lanes); }
            if (tail && Has8) { tail8.StoreUnsafe(ref accumulator, (nuint)Whole); }
            if (tail && Has4) { tail4.StoreUnsafe(ref accumulator, (nuint)At4); }
            if (floats > 0) { Unsafe.Add(ref accumulator, AtFloat) = float0; }
            if (floats > 1) { Unsafe.Add(ref accumulator, AtFloat + 1) = float1; }
            if (floats > 2) { Unsafe.Add(ref accumulator, AtFloat + 2) = float2; }
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void IHeadDimensionPath.ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores) =>
            Vector512Tile<Vector512Path<THead>>.ScoreTile(ref queryRows, ref packedBlock, scores);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void IHeadDimensionPath.ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores) =>
            Vector512Tile<Vector512Path<THead>>.ScoreTilePair(ref queryRows, ref packedBlock, scores);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void IHeadDimensionPath.AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount) =>
            Vector512Tile<Vector512Path<THead>>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
    }
}
