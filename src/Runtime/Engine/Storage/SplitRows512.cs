using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// The one-row decode loops' split loads at 512 bits (<see cref="StridedRows{TPath, TElement}"/> on AVX-512, d a
    /// multiple of 32): one 64-byte load gives 32 bf16 or finite f16 columns as the 16 even and the 16 odd ones, widened as
    /// <see cref="SplitColumns"/> does at 256 bits. On such a machine the float kernels score and accumulate 16 floats per
    /// instruction (<see cref="Vector512Path{THead}"/>); at 256 bits a 16-bit step did the same arithmetic in twice the
    /// instructions, which a short cache (in L2, its reads no cost) did not repay (bench/RESULTS.md, "16-bit decode over
    /// short caches"). f16 rows come here unchecked: the loads test them for infinities and NaNs as they go (no pass of
    /// its own over each block), and a block or strip that held one is taken again with the exact widening.
    /// </summary>
    /// <remarks>
    /// The column order is per 32 columns: the query row is deinterleaved to match (<see cref="DeinterleaveRow"/>), the
    /// accumulator's registers with <see cref="Deinterleave"/> and back with <see cref="Interleave"/>. Each accumulator
    /// column still takes the correction, then each key's weight x value in key order, one fused multiply-add each: the
    /// same operations and order as the 256-bit strips and the float tiles, so the same bits. Dot products add the columns
    /// in another order (within float rounding), as at 256 bits.
    /// </remarks>
    internal static class SplitRows512<TPath, TElement>
        where TPath : struct, IHeadDimensionPath
        where TElement : unmanaged
    {
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        /// <summary>Whether rows of <typeparamref name="TElement"/> take these loops: bf16 or finite f16, AVX-512 (F and BW), d a multiple of 32.</summary>
        public static bool Supported
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported && D >= 32 && D % 32 == 0 &&
                (typeof(TElement) == typeof(BFloat16) || typeof(TElement) == typeof(FiniteHalf));
        }

        /// <summary>
        /// The 32 columns at <paramref name="row"/>: the even ones in <paramref name="even"/>, the odd ones in
        /// <paramref name="odd"/>; bf16 exactly, finite f16 as 2^-112 times its values (<see cref="SplitColumns.Load{TElement}"/>).
        /// </summary>
        /// <remarks>
        /// For f16 it also gathers the loaded values' largest magnitude into <paramref name="largest"/> (an and and an
        /// unsigned max per 32 values, as <see cref="Widening.AllFinite"/>): the test that every value was finite, made on
        /// the loads the loop needs anyway instead of in a pass of its own over the block.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Load(ref TElement row, out Vector512<float> even, out Vector512<float> odd, ref Vector512<ushort> largest)
        {
            Vector512<int> lanes = Vector512.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
            if (typeof(TElement) == typeof(FiniteHalf))
            {
                largest = Vector512.Max(largest, lanes.AsUInt16() & Vector512.Create((ushort)0x7FFF));
            }

            if (typeof(TElement) == typeof(BFloat16))
            {
                even = (lanes << 16).AsSingle();
                odd = (lanes & Vector512.Create(unchecked((int)0xFFFF0000))).AsSingle();
            }
            else
            {
                Vector512<int> signAndMagnitude = Vector512.Create(unchecked((int)0x8FFFE000));
                even = (Avx512BW.MultiplyAddAdjacent(lanes.AsInt16(), Vector512.Create(1 << 13).AsInt16()) & signAndMagnitude).AsSingle();
                odd = ((lanes >> 3) & signAndMagnitude).AsSingle();
            }
        }

        /// <summary>Columns 0..15 and 16..31 in order -> the 16 even columns and the 16 odd ones.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector512<float> Even, Vector512<float> Odd) Deinterleave(Vector512<float> low, Vector512<float> high) =>
            (Avx512F.PermuteVar16x32x2(low, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), high),
             Avx512F.PermuteVar16x32x2(low, Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), high));

        /// <summary>The inverse of <see cref="Deinterleave"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector512<float> Low, Vector512<float> High) Interleave(Vector512<float> even, Vector512<float> odd) =>
            (Avx512F.PermuteVar16x32x2(even, Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), odd),
             Avx512F.PermuteVar16x32x2(even, Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), odd));

        /// <summary>
        /// The query row's d floats in <see cref="Load"/>'s order (each 32 columns as 16 even then 16 odd), times 2^112 for
        /// finite f16. False (the destination then not to be used) when a scaled element is not finite, as
        /// <see cref="SplitColumns.DeinterleaveRow{TElement}"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the callers: optimized from the first call
        public static bool DeinterleaveRow(ref float source, ref float destination)
        {
            bool half = typeof(TElement) == typeof(FiniteHalf);
            Vector512<float> largest = Vector512<float>.Zero;
            for (int c = 0; c < D; c += 32)
            {
                (Vector512<float> even, Vector512<float> odd) = Deinterleave(Vector512.LoadUnsafe(ref source, (nuint)c), Vector512.LoadUnsafe(ref source, (nuint)(c + 16)));
                if (half)
                {
                    even *= SplitColumns.FiniteHalfScale;
                    odd *= SplitColumns.FiniteHalfScale;
                    largest = Vector512.Max(largest, Vector512.Max(Vector512.Abs(even), Vector512.Abs(odd))); // Max propagates NaN
                }

                even.StoreUnsafe(ref destination, (nuint)c);
                odd.StoreUnsafe(ref destination, (nuint)(c + 16));
            }

            return !half || Vector512.LessThanAll(largest, Vector512.Create(float.PositiveInfinity));
        }

        /// <summary>
        /// Scaled dot products of <paramref name="query"/> (in <see cref="DeinterleaveRow"/>'s order) with
        /// <paramref name="scores"/>.Length key rows <paramref name="stride"/> apart: four keys at a time, each with an even
        /// and an odd sum (8 independent chains, each query vector loaded once for 4 keys); prefetch hints for the first
        /// <paramref name="aheadKeys"/> rows from <paramref name="nextKeys"/>. False when an f16 key held an infinity or a
        /// NaN: the scores are then not to be used (the caller scores the block with the exact widening).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the callers: optimized from the first call
        public static bool ScoreBlock(ref TElement rows, nint stride, ref float query, Span<float> scores, ref TElement nextKeys, int aheadKeys)
        {
            Vector512<ushort> largest = Vector512<ushort>.Zero;
            int t = 0;
            for (; t + 3 < scores.Length; t += 4)
            {
                if (Sse.IsSupported)
                {
                    for (int p = 0; p < 4 && t + p < aheadKeys; p++)
                    {
                        Prefetch.Row(ref Unsafe.Add(ref nextKeys, (t + p) * stride), D);
                    }
                }

                ref TElement k0 = ref Unsafe.Add(ref rows, t * stride);
                ref TElement k1 = ref Unsafe.Add(ref k0, stride);
                ref TElement k2 = ref Unsafe.Add(ref k1, stride);
                ref TElement k3 = ref Unsafe.Add(ref k2, stride);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
                for (int c = 0; c < D; c += 32)
                {
                    Vector512<float> q = Vector512.LoadUnsafe(ref query, (nuint)c);
                    Vector512<float> r = Vector512.LoadUnsafe(ref query, (nuint)(c + 16));
                    Load(ref Unsafe.Add(ref k0, c), out Vector512<float> x, out Vector512<float> y, ref largest);
                    a0 = Vector512.FusedMultiplyAdd(q, x, a0);
                    b0 = Vector512.FusedMultiplyAdd(r, y, b0);
                    Load(ref Unsafe.Add(ref k1, c), out x, out y, ref largest);
                    a1 = Vector512.FusedMultiplyAdd(q, x, a1);
                    b1 = Vector512.FusedMultiplyAdd(r, y, b1);
                    Load(ref Unsafe.Add(ref k2, c), out x, out y, ref largest);
                    a2 = Vector512.FusedMultiplyAdd(q, x, a2);
                    b2 = Vector512.FusedMultiplyAdd(r, y, b2);
                    Load(ref Unsafe.Add(ref k3, c), out x, out y, ref largest);
                    a3 = Vector512.FusedMultiplyAdd(q, x, a3);
                    b3 = Vector512.FusedMultiplyAdd(r, y, b3);
                }

                Vector128<float> dots = Reductions.Sum4(Fold(a0 + b0), Fold(a1 + b1), Fold(a2 + b2), Fold(a3 + b3));
                (dots * TPath.ScoreScale).StoreUnsafe(ref scores[t]);
            }

            for (; t < scores.Length; t++)
            {
                ref TElement row = ref Unsafe.Add(ref rows, t * stride);
                Vector512<float> a = default, b = default;
                for (int c = 0; c < D; c += 32)
                {
                    Load(ref Unsafe.Add(ref row, c), out Vector512<float> x, out Vector512<float> y, ref largest);
                    a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref query, (nuint)c), x, a);
                    b = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref query, (nuint)(c + 16)), y, b);
                }

                scores[t] = Vector256.Sum(Fold(a + b)) * TPath.ScoreScale;
            }

            return AllFinite(largest);
        }

        /// <summary>Whether the largest f16 magnitude <see cref="Load"/> gathered is finite (below 0x7C00); always for bf16.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool AllFinite(Vector512<ushort> largest) =>
            typeof(TElement) != typeof(FiniteHalf) || !Vector512.GreaterThanOrEqualAny(largest, Vector512.Create((ushort)0x7C00));

        /// <summary>The two halves of a 512-bit sum added: 8 partial sums for the 256-bit reductions.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Fold(Vector512<float> sum) => sum.GetLower() + sum.GetUpper();

        /// <summary>
        /// acc = correction x acc + sum of weight x value row over <paramref name="weights"/>.Length value rows
        /// <paramref name="stride"/> apart (weights already times 2^112 for finite f16): 128 columns at a time in 8
        /// registers (64 or 32 for what is left) while the block's rows stream past; prefetch hints for the strip's columns
        /// of the first <paramref name="aheadValues"/> rows from <paramref name="valueAhead"/>. An f16 strip whose values
        /// held an infinity or a NaN is not stored but taken again with the exact widening and
        /// <paramref name="exactWeights"/> (the weights themselves), in the same order: the float path's bits.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the callers: optimized from the first call
        public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ReadOnlySpan<float> exactWeights, ref TElement rows,
            nint stride, ref TElement valueAhead, int aheadValues)
        {
            ref float sums = ref MemoryMarshal.GetReference(accumulator);
            int c = 0;
            for (; c <= D - 128; c += 128)
            {
                Strip(ref sums, c, 4, correction, weights, exactWeights, ref rows, stride, ref valueAhead, aheadValues);
            }

            if (D - c >= 64)
            {
                Strip(ref sums, c, 2, correction, weights, exactWeights, ref rows, stride, ref valueAhead, aheadValues);
                c += 64;
            }

            if (D - c >= 32)
            {
                Strip(ref sums, c, 1, correction, weights, exactWeights, ref rows, stride, ref valueAhead, aheadValues);
            }
        }

        /// <summary>One strip of <paramref name="loads"/> x 32 columns from column <paramref name="c"/> (loads 1, 2 or 4, a constant at each call).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Strip(ref float sums, int c, int loads, float correction, ReadOnlySpan<float> weights, ReadOnlySpan<float> exactWeights,
            ref TElement rows, nint stride, ref TElement valueAhead, int aheadValues)
        {
            Vector512<ushort> largest = Vector512<ushort>.Zero;
            Vector512<float> e0, o0, e1 = default, o1 = default, e2 = default, o2 = default, e3 = default, o3 = default;
            (e0, o0) = Deinterleave(Vector512.LoadUnsafe(ref sums, (nuint)c) * correction, Vector512.LoadUnsafe(ref sums, (nuint)(c + 16)) * correction);
            if (loads > 1)
            {
                (e1, o1) = Deinterleave(Vector512.LoadUnsafe(ref sums, (nuint)(c + 32)) * correction, Vector512.LoadUnsafe(ref sums, (nuint)(c + 48)) * correction);
            }

            if (loads > 2)
            {
                (e2, o2) = Deinterleave(Vector512.LoadUnsafe(ref sums, (nuint)(c + 64)) * correction, Vector512.LoadUnsafe(ref sums, (nuint)(c + 80)) * correction);
                (e3, o3) = Deinterleave(Vector512.LoadUnsafe(ref sums, (nuint)(c + 96)) * correction, Vector512.LoadUnsafe(ref sums, (nuint)(c + 112)) * correction);
            }

            ref TElement column = ref Unsafe.Add(ref rows, c);
            ref TElement aheadColumn = ref Unsafe.Add(ref valueAhead, c);
            nint offset = 0; // stepped, not a bumped reference: that would end past the last row
            for (int t = 0; t < weights.Length; t++, offset += stride)
            {
                if (Sse.IsSupported && t < aheadValues)
                {
                    Prefetch.Columns(ref Unsafe.Add(ref aheadColumn, offset), 0, 32 * loads); // this strip of the row two blocks on
                }

                ref TElement row = ref Unsafe.Add(ref column, offset);
                Vector512<float> weight = Vector512.Create(weights[t]);
                Load(ref row, out Vector512<float> x, out Vector512<float> y, ref largest);
                e0 = Vector512.FusedMultiplyAdd(weight, x, e0);
                o0 = Vector512.FusedMultiplyAdd(weight, y, o0);
                if (loads > 1)
                {
                    Load(ref Unsafe.Add(ref row, 32), out x, out y, ref largest);
                    e1 = Vector512.FusedMultiplyAdd(weight, x, e1);
                    o1 = Vector512.FusedMultiplyAdd(weight, y, o1);
                }

                if (loads > 2)
                {
                    Load(ref Unsafe.Add(ref row, 64), out x, out y, ref largest);
                    e2 = Vector512.FusedMultiplyAdd(weight, x, e2);
                    o2 = Vector512.FusedMultiplyAdd(weight, y, o2);
                    Load(ref Unsafe.Add(ref row, 96), out x, out y, ref largest);
                    e3 = Vector512.FusedMultiplyAdd(weight, x, e3);
                    o3 = Vector512.FusedMultiplyAdd(weight, y, o3);
                }
            }

            if (!AllFinite(largest))
            {
                StripExact(ref sums, c, 32 * loads, correction, exactWeights, ref rows, stride);
                return;
            }

            Store(ref sums, c, e0, o0);
            if (loads > 1)
            {
                Store(ref sums, c + 32, e1, o1);
            }

            if (loads > 2)
            {
                Store(ref sums, c + 64, e2, o2);
                Store(ref sums, c + 96, e3, o3);
            }
        }

        /// <summary>
        /// An f16 strip with an infinity or a NaN: columns [c, c + columns) accumulated in order with the exact widening
        /// (<see cref="Widening.LoadWidened512(ref Half)"/>), the correction first, then each key's weight x value in key order.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // rare: kept out of the strip's registers
        private static void StripExact(ref float sums, int c, int columns, float correction, ReadOnlySpan<float> weights, ref TElement rows, nint stride)
        {
            for (int j = c; j < c + columns; j += 16)
            {
                Vector512<float> sum = Vector512.LoadUnsafe(ref sums, (nuint)j) * correction;
                ref Half column = ref Unsafe.As<TElement, Half>(ref Unsafe.Add(ref rows, j));
                nint offset = 0;
                for (int t = 0; t < weights.Length; t++, offset += stride)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(weights[t]), Widening.LoadWidened512(ref Unsafe.Add(ref column, offset)), sum);
                }

                sum.StoreUnsafe(ref sums, (nuint)j);
            }
        }

        /// <summary>32 columns back in order at <paramref name="c"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref float sums, int c, Vector512<float> even, Vector512<float> odd)
        {
            (Vector512<float> low, Vector512<float> high) = Interleave(even, odd);
            low.StoreUnsafe(ref sums, (nuint)c);
            high.StoreUnsafe(ref sums, (nuint)(c + 16));
        }
    }
}
