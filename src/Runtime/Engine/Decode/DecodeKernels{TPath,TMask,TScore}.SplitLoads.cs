using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    // The split-load micro-kernels of the tiled decode (bf16 and f16 rows read in place, see SplitColumns) and the in-place
    // value tile they share with float32 rows.
    internal abstract partial class DecodeKernels<TPath, TMask, TScore>
    {
        /// <summary>
        /// <see cref="ScoreRows4{TElement}"/> for bf16 and finite f16 keys with split loads (<see cref="SplitColumns"/>):
        /// each whole 16 columns of a key is one load, against the 4 query rows in that column order
        /// (<paramref name="splitQueries"/>, times 2^112 for f16); the columns past them (d mod 16) against
        /// <paramref name="queries"/> as ScoreRows4 reads them. Two keys per step, 8 sums, the same prefetches. f16 rows
        /// are read as finite and tested for infinities and NaNs in those same loads (<see cref="SplitColumns.LoadByShiftsTested{TElement}"/>):
        /// false when a key held one in its first d / 16 x 16 columns, the scores then not to be used (the caller scores the
        /// block with the exact widening); the columns past those are not tested (the caller scans such rows first).
        /// A separate pass over each block cost a short GQA step much of its time (bench/RESULTS.md, "16-bit decode over
        /// short caches").
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe bool ScoreRows4Split<TElement>(ref float splitQueries, ref float queries, ref TElement keys, int stride, int count, Span<float> scores,
            ref TElement nextKeys, ref TElement nextValues, NextBlockPrefetch prefetch)
            where TElement : unmanaged
        {
            int splitEnd = D / 16 * 16;
            bool eightMore = D - splitEnd >= 8;
            float scale = TPath.ScoreScale;
            ref float q0 = ref splitQueries; // rows 1..3 at constant displacements, as in ScoreRows4
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            int tailFrom = D / 8 * 8;
            int rowsPerStep = prefetch.RowsPerStep(count);
            Vector256<ushort> largest = Vector256<ushort>.Zero;
            bool wide = typeof(TElement) == typeof(FiniteHalf) && SplitColumns.Supported512 && D % 32 == 0;
            Vector512<ushort> wideLargest = Vector512<ushort>.Zero;
            for (int t = 0; t < count; t += 2)
            {
                bool pair = t + 1 < count;
                ref TElement k0 = ref Unsafe.Add(ref keys, (nint)t * stride);
                ref TElement k1 = ref pair ? ref Unsafe.Add(ref k0, stride) : ref k0; // a lone last key is scored twice, stored once
                if (Sse.IsSupported && prefetch.Rows > 0)
                {
                    int firstRow = t / 2 * rowsPerStep;
                    PrefetchRows(ref nextKeys, ref nextValues, prefetch, firstRow, Math.Min(prefetch.Rows, firstRow + rowsPerStep));
                }

                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
                if (wide)
                {
                    // 32 columns a load (AVX-512): the widening and the test at 512 bits, half the operations, then the
                    // two 16-column halves as the 256-bit loop below takes them (the same values, sums and order).
                    for (int c = 0; c < splitEnd; c += 32)
                    {
                        SplitColumns.LoadTested512(ref Unsafe.Add(ref k0, c), out Vector256<float> e0, out Vector256<float> o0, out Vector256<float> f0, out Vector256<float> p0, ref wideLargest);
                        SplitColumns.LoadTested512(ref Unsafe.Add(ref k1, c), out Vector256<float> e1, out Vector256<float> o1, out Vector256<float> f1, out Vector256<float> p1, ref wideLargest);
                        Vector256<float> q = Vector256.LoadUnsafe(ref q0, (nuint)c);
                        s00 = Vector256.FusedMultiplyAdd(q, e0, s00);
                        s01 = Vector256.FusedMultiplyAdd(q, e1, s01);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)D);
                        s10 = Vector256.FusedMultiplyAdd(q, e0, s10);
                        s11 = Vector256.FusedMultiplyAdd(q, e1, s11);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D));
                        s20 = Vector256.FusedMultiplyAdd(q, e0, s20);
                        s21 = Vector256.FusedMultiplyAdd(q, e1, s21);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D));
                        s30 = Vector256.FusedMultiplyAdd(q, e0, s30);
                        s31 = Vector256.FusedMultiplyAdd(q, e1, s31);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + 8);
                        s00 = Vector256.FusedMultiplyAdd(q, o0, s00);
                        s01 = Vector256.FusedMultiplyAdd(q, o1, s01);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D + 8));
                        s10 = Vector256.FusedMultiplyAdd(q, o0, s10);
                        s11 = Vector256.FusedMultiplyAdd(q, o1, s11);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D + 8));
                        s20 = Vector256.FusedMultiplyAdd(q, o0, s20);
                        s21 = Vector256.FusedMultiplyAdd(q, o1, s21);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D + 8));
                        s30 = Vector256.FusedMultiplyAdd(q, o0, s30);
                        s31 = Vector256.FusedMultiplyAdd(q, o1, s31);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16));
                        s00 = Vector256.FusedMultiplyAdd(q, f0, s00);
                        s01 = Vector256.FusedMultiplyAdd(q, f1, s01);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + (nuint)D);
                        s10 = Vector256.FusedMultiplyAdd(q, f0, s10);
                        s11 = Vector256.FusedMultiplyAdd(q, f1, s11);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + (nuint)(2 * D));
                        s20 = Vector256.FusedMultiplyAdd(q, f0, s20);
                        s21 = Vector256.FusedMultiplyAdd(q, f1, s21);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + (nuint)(3 * D));
                        s30 = Vector256.FusedMultiplyAdd(q, f0, s30);
                        s31 = Vector256.FusedMultiplyAdd(q, f1, s31);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + 8);
                        s00 = Vector256.FusedMultiplyAdd(q, p0, s00);
                        s01 = Vector256.FusedMultiplyAdd(q, p1, s01);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + (nuint)(D + 8));
                        s10 = Vector256.FusedMultiplyAdd(q, p0, s10);
                        s11 = Vector256.FusedMultiplyAdd(q, p1, s11);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + (nuint)(2 * D + 8));
                        s20 = Vector256.FusedMultiplyAdd(q, p0, s20);
                        s21 = Vector256.FusedMultiplyAdd(q, p1, s21);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)(c + 16) + (nuint)(3 * D + 8));
                        s30 = Vector256.FusedMultiplyAdd(q, p0, s30);
                        s31 = Vector256.FusedMultiplyAdd(q, p1, s31);
                    }
                }
                else
                {
                    for (int c = 0; c < splitEnd; c += 16)
                    {
                        SplitColumns.LoadByShiftsTested(ref Unsafe.Add(ref k0, c), out Vector256<float> e0, out Vector256<float> o0, ref largest);
                        SplitColumns.LoadByShiftsTested(ref Unsafe.Add(ref k1, c), out Vector256<float> e1, out Vector256<float> o1, ref largest);
                        Vector256<float> q = Vector256.LoadUnsafe(ref q0, (nuint)c);
                        s00 = Vector256.FusedMultiplyAdd(q, e0, s00);
                        s01 = Vector256.FusedMultiplyAdd(q, e1, s01);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D));
                        s10 = Vector256.FusedMultiplyAdd(q, e0, s10);
                        s11 = Vector256.FusedMultiplyAdd(q, e1, s11);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D));
                        s20 = Vector256.FusedMultiplyAdd(q, e0, s20);
                        s21 = Vector256.FusedMultiplyAdd(q, e1, s21);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D));
                        s30 = Vector256.FusedMultiplyAdd(q, e0, s30);
                        s31 = Vector256.FusedMultiplyAdd(q, e1, s31);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + 8);
                        s00 = Vector256.FusedMultiplyAdd(q, o0, s00);
                        s01 = Vector256.FusedMultiplyAdd(q, o1, s01);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D + 8));
                        s10 = Vector256.FusedMultiplyAdd(q, o0, s10);
                        s11 = Vector256.FusedMultiplyAdd(q, o1, s11);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D + 8));
                        s20 = Vector256.FusedMultiplyAdd(q, o0, s20);
                        s21 = Vector256.FusedMultiplyAdd(q, o1, s21);
                        q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D + 8));
                        s30 = Vector256.FusedMultiplyAdd(q, o0, s30);
                        s31 = Vector256.FusedMultiplyAdd(q, o1, s31);
                    }
                }

                if (eightMore)
                {
                    // 8 more columns in order, widened exactly, against the query rows as they are.
                    Vector256<float> x0 = Widening.LoadWidened256(ref Unsafe.Add(ref k0, splitEnd));
                    Vector256<float> x1 = Widening.LoadWidened256(ref Unsafe.Add(ref k1, splitEnd));
                    Vector256<float> q = Vector256.LoadUnsafe(ref queries, (nuint)splitEnd);
                    s00 = Vector256.FusedMultiplyAdd(q, x0, s00);
                    s01 = Vector256.FusedMultiplyAdd(q, x1, s01);
                    q = Vector256.LoadUnsafe(ref queries, (nuint)(D + splitEnd));
                    s10 = Vector256.FusedMultiplyAdd(q, x0, s10);
                    s11 = Vector256.FusedMultiplyAdd(q, x1, s11);
                    q = Vector256.LoadUnsafe(ref queries, (nuint)(2 * D + splitEnd));
                    s20 = Vector256.FusedMultiplyAdd(q, x0, s20);
                    s21 = Vector256.FusedMultiplyAdd(q, x1, s21);
                    q = Vector256.LoadUnsafe(ref queries, (nuint)(3 * D + splitEnd));
                    s30 = Vector256.FusedMultiplyAdd(q, x0, s30);
                    s31 = Vector256.FusedMultiplyAdd(q, x1, s31);
                }

                Vector128<float> first = Reductions.Sum4(s00, s10, s20, s30), second = Reductions.Sum4(s01, s11, s21, s31);
                if (TransposedScores)
                {
                    (first * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * t)); // key-major in the slot's own rows (see ToRowMajor)
                    (second * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * t + 4)); // a lone last key's copy lands past 4 x count: unused
                    continue;
                }

                for (int r = 0; r < 4; r++)
                {
                    ref float query = ref Unsafe.Add(ref queries, r * D);
                    Unsafe.Add(ref scoreStart, r * KeyBlock + t) = (first.GetElement(r) + TailDot(ref query, ref k0, tailFrom)) * scale;
                    if (pair)
                    {
                        Unsafe.Add(ref scoreStart, r * KeyBlock + t + 1) = (second.GetElement(r) + TailDot(ref query, ref k1, tailFrom)) * scale;
                    }
                }
            }

            if (TransposedScores)
            {
                ToRowMajor(ref scoreStart, count);
            }

            return typeof(TElement) != typeof(FiniteHalf) || (SplitColumns.AllFinite(largest) && SplitColumns.AllFinite512(wideLargest));
        }

        /// <summary>
        /// <see cref="Vector256Tile{TPath}.AccumulateTile"/> for value rows <paramref name="stride"/> elements apart, read
        /// in place (d a multiple of 16, AVX2): float32 rows by two in-order loads per 16 columns, bf16 and finite f16 rows
        /// by split loads (<see cref="SplitColumns"/>; each 16 columns of the 4 rows' sums are deinterleaved in registers
        /// and interleaved back; for f16 the weights are first scaled by 2^112 in place: they are at most 1, and the caller
        /// is done with them). Every key's 16 values are loaded once for the 4 rows' 8 multiply-adds. Each element gets the
        /// same operations in the same order as <see cref="Vector256Tile{TPath}.AccumulateTile"/> on widened, contiguous
        /// rows: the same bits, with no copy of the block ([B, N, H, d] float32 blocks were copied into contiguous floats
        /// before; this replaced AccumulateTileSplit, the 16-bit form, and the float tile for [B, H, N, d]). Float32
        /// tiles also prefetch <paramref name="prefetchLines"/> lines from <paramref name="prefetchStart"/> (the next
        /// block's values), one per key step until done. f16 rows are read as finite and tested in the same loads: a strip
        /// of 16 columns that held an infinity or a NaN is not stored but taken again with the exact widening
        /// (<see cref="StripExact"/>), in the same order: the float path's bits.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void AccumulateTileInPlace<TElement>(Span<float> accumulators, ReadOnlySpan<float> corrections, Span<float> weights, ref TElement valueRows,
            int stride, int keyCount, ref TElement prefetchStart, int prefetchLines)
            where TElement : unmanaged
        {
            // A raw address of an unpinned reference, held across the loop: only ever a prefetch hint (if the GC moved the
            // array meanwhile, a stale hint), never dereferenced.
            byte* prefetchAt = null, prefetchEnd = null;
            if (typeof(TElement) == typeof(float) && Sse.IsSupported && prefetchLines > 0)
            {
                prefetchAt = (byte*)Unsafe.AsPointer(ref prefetchStart);
                prefetchEnd = prefetchAt + (nint)prefetchLines * 64;
            }

            bool split = typeof(TElement) != typeof(float); // bf16 or FiniteHalf (the callers pass no other type)
            if (typeof(TElement) == typeof(FiniteHalf))
            {
                for (int r = 0; r < 4; r++)
                {
                    SplitColumns.ScaleWeights(weights.Slice(r * KeyBlock, keyCount), weights.Slice(r * KeyBlock, keyCount));
                }
            }

            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulators);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            float correction0 = corrections[0], correction1 = corrections[1], correction2 = corrections[2], correction3 = corrections[3];
            for (int column = 0; column < D; column += 16)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                Vector256<float> even0 = Vector256.LoadUnsafe(ref accumulator) * correction0, odd0 = Vector256.LoadUnsafe(ref accumulator, 8) * correction0;
                Vector256<float> even1 = Vector256.LoadUnsafe(ref accumulator, (nuint)D) * correction1, odd1 = Vector256.LoadUnsafe(ref accumulator, (nuint)(D + 8)) * correction1;
                Vector256<float> even2 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D)) * correction2;
                Vector256<float> odd2 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D + 8)) * correction2;
                Vector256<float> even3 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D)) * correction3;
                Vector256<float> odd3 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D + 8)) * correction3;
                if (split)
                {
                    (even0, odd0) = SplitColumns.Deinterleave(even0, odd0);
                    (even1, odd1) = SplitColumns.Deinterleave(even1, odd1);
                    (even2, odd2) = SplitColumns.Deinterleave(even2, odd2);
                    (even3, odd3) = SplitColumns.Deinterleave(even3, odd3);
                }

                ref TElement valueRow = ref Unsafe.Add(ref valueRows, column);
                Vector256<ushort> largest = Vector256<ushort>.Zero; // f16: the strip's largest magnitude
                nint offset = 0; // stepped, not a bumped reference: that would end past the last row
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++, offset += stride)
                {
                    if (typeof(TElement) == typeof(float) && Sse.IsSupported && prefetchAt < prefetchEnd)
                    {
                        Sse.Prefetch0(prefetchAt); // a line of the next block's values per key step (see the caller)
                        prefetchAt += 64;
                    }

                    // For float rows "even" and "odd" are the first 8 columns and the next 8, in order.
                    Vector256<float> even, odd;
                    if (split)
                    {
                        SplitColumns.LoadTested(ref Unsafe.Add(ref valueRow, offset), out even, out odd, ref largest);
                    }
                    else
                    {
                        ref float row = ref Unsafe.As<TElement, float>(ref Unsafe.Add(ref valueRow, offset));
                        even = Vector256.LoadUnsafe(ref row);
                        odd = Vector256.LoadUnsafe(ref row, 8);
                    }

                    Vector256<float> weight0 = Vector256.Create(weight);
                    even0 = Vector256.FusedMultiplyAdd(weight0, even, even0);
                    odd0 = Vector256.FusedMultiplyAdd(weight0, odd, odd0);
                    Vector256<float> weight1 = Vector256.Create(Unsafe.Add(ref weight, KeyBlock));
                    even1 = Vector256.FusedMultiplyAdd(weight1, even, even1);
                    odd1 = Vector256.FusedMultiplyAdd(weight1, odd, odd1);
                    Vector256<float> weight2 = Vector256.Create(Unsafe.Add(ref weight, 2 * KeyBlock));
                    even2 = Vector256.FusedMultiplyAdd(weight2, even, even2);
                    odd2 = Vector256.FusedMultiplyAdd(weight2, odd, odd2);
                    Vector256<float> weight3 = Vector256.Create(Unsafe.Add(ref weight, 3 * KeyBlock));
                    even3 = Vector256.FusedMultiplyAdd(weight3, even, even3);
                    odd3 = Vector256.FusedMultiplyAdd(weight3, odd, odd3);
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                if (typeof(TElement) == typeof(FiniteHalf) && !SplitColumns.AllFinite(largest))
                {
                    StripExact(ref accumulator, corrections, ref weightStart, ref Unsafe.As<TElement, Half>(ref valueRow), stride, keyCount);
                    continue;
                }

                if (split)
                {
                    (even0, odd0) = SplitColumns.Interleave(even0, odd0);
                    (even1, odd1) = SplitColumns.Interleave(even1, odd1);
                    (even2, odd2) = SplitColumns.Interleave(even2, odd2);
                    (even3, odd3) = SplitColumns.Interleave(even3, odd3);
                }

                even0.StoreUnsafe(ref accumulator);
                odd0.StoreUnsafe(ref accumulator, 8);
                even1.StoreUnsafe(ref accumulator, (nuint)D);
                odd1.StoreUnsafe(ref accumulator, (nuint)(D + 8));
                even2.StoreUnsafe(ref accumulator, (nuint)(2 * D));
                odd2.StoreUnsafe(ref accumulator, (nuint)(2 * D + 8));
                even3.StoreUnsafe(ref accumulator, (nuint)(3 * D));
                odd3.StoreUnsafe(ref accumulator, (nuint)(3 * D + 8));
            }
        }

        /// <summary>
        /// An f16 strip of <see cref="AccumulateTileInPlace"/> that held an infinity or a NaN: columns [0, 16) from
        /// <paramref name="accumulator"/> of the tile's 4 rows, accumulated as <see cref="Vector256Tile{TPath}.AccumulateTile"/>
        /// does on widened rows (the correction first, then each key's weight x value in key order, 8 columns a vector) with
        /// the exact widening. The weights were scaled by 2^112; times 2^-112 they are the softmax's again, exactly (a
        /// scaling by a power of two that neither overflows nor loses a bit of a representable value).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // rare: kept out of the tile's registers
        private static void StripExact(ref float accumulator, ReadOnlySpan<float> corrections, ref float scaledWeights, ref Half valueRow, int stride, int keyCount)
        {
            const float Unscale = 1f / SplitColumns.FiniteHalfScale; // 2^-112, a normal float
            for (int r = 0; r < 4; r++)
            {
                for (int half = 0; half < 16; half += 8)
                {
                    ref float sums = ref Unsafe.Add(ref accumulator, r * D + half);
                    Vector256<float> sum = Vector256.LoadUnsafe(ref sums) * corrections[r];
                    ref float weight = ref Unsafe.Add(ref scaledWeights, r * KeyBlock);
                    nint offset = half;
                    for (int key = 0; key < keyCount; key++, offset += stride)
                    {
                        sum = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref weight, key) * Unscale), Widening.LoadWidened256(ref Unsafe.Add(ref valueRow, offset)), sum);
                    }

                    sum.StoreUnsafe(ref sums);
                }
            }
        }

        /// <summary>
        /// Whether the 4-row score loops store each key's 4 scores as one vector, key-major, into the start of their own
        /// 4 x KeyBlock rows, and transpose the block into the rows at the end (d a multiple of 8, so no tail columns; SSE):
        /// per 2 keys two vector stores instead of 8 lane extractions through the stack and 8 scalar stores. Only in
        /// <see cref="ScoreRows4Split"/> (the 16-bit steps, bound by arithmetic): in the float32 <see cref="ScoreRows4"/> the
        /// JIT then spilled the query reference, a reload per column step (the llvm-mca comparison is in bench/RESULTS.md,
        /// "In-place float32 GQA tiles"), for no measurable gain in a memory-bound step.
        /// </summary>
        internal static bool TransposedScores
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Sse.IsSupported && D % 8 == 0;
        }

        /// <summary>
        /// The first 4 x <paramref name="count"/> floats of <paramref name="scores"/>, key-major (4 t + r), into rows
        /// (r x KeyBlock + t): copied aside, then 4 x 4 transposes.
        /// </summary>
        internal static void ToRowMajor(ref float scores, int count)
        {
            Span<float> copy = stackalloc float[4 * KeyBlock];
            MemoryMarshal.CreateReadOnlySpan(ref scores, 4 * count).CopyTo(copy);
            ref float keyMajor = ref MemoryMarshal.GetReference(copy);
            int t = 0;
            for (; t + 3 < count; t += 4)
            {
                Vector128<float> k0 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t)), k1 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t + 4));
                Vector128<float> k2 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t + 8)), k3 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t + 12));
                Vector128<float> low01 = Sse.UnpackLow(k0, k1), low23 = Sse.UnpackLow(k2, k3); // rows 0 and 1 of keys t..t+3
                Vector128<float> high01 = Sse.UnpackHigh(k0, k1), high23 = Sse.UnpackHigh(k2, k3); // rows 2 and 3
                Sse.MoveLowToHigh(low01, low23).StoreUnsafe(ref scores, (nuint)t);
                Sse.MoveHighToLow(low23, low01).StoreUnsafe(ref scores, (nuint)(KeyBlock + t));
                Sse.MoveLowToHigh(high01, high23).StoreUnsafe(ref scores, (nuint)(2 * KeyBlock + t));
                Sse.MoveHighToLow(high23, high01).StoreUnsafe(ref scores, (nuint)(3 * KeyBlock + t));
            }

            for (; t < count; t++)
            {
                for (int r = 0; r < 4; r++)
                {
                    Unsafe.Add(ref scores, r * KeyBlock + t) = Unsafe.Add(ref keyMajor, 4 * t + r);
                }
            }
        }
    }
}
