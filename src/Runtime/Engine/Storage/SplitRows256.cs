using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// f16 rows in the one-row decode loops with AVX2 but not AVX-512 (<see cref="StridedRows{TPath, TElement}"/>, d a
    /// multiple of 32): the split loads of <see cref="SplitColumns"/> (one 32-byte load, 16 columns as the 8 even and the
    /// 8 odd ones), the rows read as finite and tested for infinities and NaNs in those same loads, as
    /// <see cref="SplitRows512{TPath, TElement}"/> does at 512 bits: a separate pass over each block (keys and values)
    /// cost a short f16 step much of its time (bench/RESULTS.md, "16-bit decode over short caches"). A block (scores) or strip
    /// (values) that held an infinity or a NaN is taken again with the exact widening. The column order, the sums' order
    /// and so the bits are those of the 256-bit loops of <see cref="StridedRows{TPath, TElement}"/>.
    /// </summary>
    internal static class SplitRows256<TPath, TElement>
        where TPath : struct, IHeadDimensionPath
        where TElement : unmanaged
    {
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        /// <summary>Whether rows of <typeparamref name="TElement"/> take these loops: finite f16, AVX2 without AVX-512's loops, d a multiple of 32.</summary>
        public static bool Supported
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Avx2.IsSupported && !SplitRows512<TPath, TElement>.Supported && D >= 32 && D % 32 == 0 && typeof(TElement) == typeof(FiniteHalf);
        }

        /// <summary>
        /// The 16 columns at <paramref name="row"/> as <see cref="SplitColumns.Load{TElement}"/> gives them (finite f16, 2^-112
        /// times its values; its one load shared with the test), their largest magnitude gathered into <paramref name="largest"/> (an and and an unsigned max
        /// per 16 values, as <see cref="Widening.AllFinite"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Load(ref TElement row, out Vector256<float> even, out Vector256<float> odd, ref Vector256<ushort> largest)
        {
            Vector256<int> lanes = Vector256.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
            largest = Vector256.Max(largest, lanes.AsUInt16() & Vector256.Create((ushort)0x7FFF));
            Vector256<int> signAndMagnitude = Vector256.Create(unchecked((int)0x8FFFE000));
            even = (Avx2.MultiplyAddAdjacent(lanes.AsInt16(), Vector256.Create(1 << 13).AsInt16()) & signAndMagnitude).AsSingle();
            odd = ((lanes >> 3) & signAndMagnitude).AsSingle();
        }

        /// <summary>
        /// Scaled dot products of <paramref name="query"/> (in <see cref="SplitColumns.DeinterleaveRow{TElement}"/>'s order) with
        /// <paramref name="scores"/>.Length key rows <paramref name="stride"/> apart: four keys at a time, each with an even
        /// and an odd sum (8 independent chains, each query vector loaded once for 4 keys); prefetch hints for the first
        /// <paramref name="aheadKeys"/> rows from <paramref name="nextKeys"/>. False when an f16 key held an infinity or a
        /// NaN: the scores are then not to be used (the caller scores the block with the exact widening).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the callers: optimized from the first call
        public static bool ScoreBlock(ref TElement rows, nint stride, ref float query, Span<float> scores, ref TElement nextKeys, int aheadKeys)
        {
            Vector256<ushort> largest = Vector256<ushort>.Zero;
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
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
                for (int c = 0; c < D; c += 16)
                {
                    Vector256<float> q = Vector256.LoadUnsafe(ref query, (nuint)c);
                    Vector256<float> r = Vector256.LoadUnsafe(ref query, (nuint)(c + 8));
                    Load(ref Unsafe.Add(ref k0, c), out Vector256<float> x, out Vector256<float> y, ref largest);
                    a0 = Vector256.FusedMultiplyAdd(q, x, a0);
                    b0 = Vector256.FusedMultiplyAdd(r, y, b0);
                    Load(ref Unsafe.Add(ref k1, c), out x, out y, ref largest);
                    a1 = Vector256.FusedMultiplyAdd(q, x, a1);
                    b1 = Vector256.FusedMultiplyAdd(r, y, b1);
                    Load(ref Unsafe.Add(ref k2, c), out x, out y, ref largest);
                    a2 = Vector256.FusedMultiplyAdd(q, x, a2);
                    b2 = Vector256.FusedMultiplyAdd(r, y, b2);
                    Load(ref Unsafe.Add(ref k3, c), out x, out y, ref largest);
                    a3 = Vector256.FusedMultiplyAdd(q, x, a3);
                    b3 = Vector256.FusedMultiplyAdd(r, y, b3);
                }

                Vector128<float> dots = Reductions.Sum4(a0 + b0, a1 + b1, a2 + b2, a3 + b3);
                (dots * TPath.ScoreScale).StoreUnsafe(ref scores[t]);
            }

            for (; t < scores.Length; t++)
            {
                ref TElement row = ref Unsafe.Add(ref rows, t * stride);
                Vector256<float> a = default, b = default;
                for (int c = 0; c < D; c += 16)
                {
                    Load(ref Unsafe.Add(ref row, c), out Vector256<float> x, out Vector256<float> y, ref largest);
                    a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref query, (nuint)c), x, a);
                    b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref query, (nuint)(c + 8)), y, b);
                }

                scores[t] = Vector256.Sum(a + b) * TPath.ScoreScale;
            }

            return AllFinite(largest);
        }

        /// <summary>Whether the largest f16 magnitude <see cref="Load"/> gathered is finite (below 0x7C00).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool AllFinite(Vector256<ushort> largest) =>
            !Vector256.GreaterThanOrEqualAny(largest, Vector256.Create((ushort)0x7C00));

        /// <summary>
        /// acc = correction x acc + sum of weight x value row over <paramref name="weights"/>.Length value rows
        /// <paramref name="stride"/> apart (weights times 2^112): 32 columns at a time in 4 registers while the block's rows
        /// stream past, as the 256-bit strips of <see cref="StridedRows{TPath, TElement}"/>; prefetch hints for the strip's
        /// columns of the first <paramref name="aheadValues"/> rows from <paramref name="valueAhead"/>. A strip whose values
        /// held an infinity or a NaN is not stored but taken again with the exact widening and
        /// <paramref name="exactWeights"/> (the weights themselves), in the same order: the float path's bits.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the callers: optimized from the first call
        public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ReadOnlySpan<float> exactWeights, ref TElement rows,
            nint stride, ref TElement valueAhead, int aheadValues)
        {
            ref float sums = ref MemoryMarshal.GetReference(accumulator);
            for (int c = 0; c < D; c += 32)
            {
                Vector256<ushort> largest = Vector256<ushort>.Zero;
                (Vector256<float> s0, Vector256<float> s1) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref sums, (nuint)c) * correction,
                    Vector256.LoadUnsafe(ref sums, (nuint)(c + 8)) * correction);
                (Vector256<float> s2, Vector256<float> s3) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref sums, (nuint)(c + 16)) * correction,
                    Vector256.LoadUnsafe(ref sums, (nuint)(c + 24)) * correction);
                ref TElement column = ref Unsafe.Add(ref rows, c);
                ref TElement aheadColumn = ref Unsafe.Add(ref valueAhead, c);
                nint offset = 0; // stepped, not a bumped reference: that would end past the last row
                for (int t = 0; t < weights.Length; t++, offset += stride)
                {
                    if (Sse.IsSupported && t < aheadValues)
                    {
                        Prefetch.Columns(ref Unsafe.Add(ref aheadColumn, offset), 0, 32); // this strip of the row two blocks on
                    }

                    ref TElement row = ref Unsafe.Add(ref column, offset);
                    Vector256<float> weight = Vector256.Create(weights[t]);
                    Load(ref row, out Vector256<float> x0, out Vector256<float> x1, ref largest);
                    Load(ref Unsafe.Add(ref row, 16), out Vector256<float> x2, out Vector256<float> x3, ref largest);
                    s0 = Vector256.FusedMultiplyAdd(weight, x0, s0);
                    s1 = Vector256.FusedMultiplyAdd(weight, x1, s1);
                    s2 = Vector256.FusedMultiplyAdd(weight, x2, s2);
                    s3 = Vector256.FusedMultiplyAdd(weight, x3, s3);
                }

                if (!AllFinite(largest))
                {
                    StripExact(ref sums, c, correction, exactWeights, ref rows, stride);
                    continue;
                }

                (s0, s1) = SplitColumns.Interleave(s0, s1);
                (s2, s3) = SplitColumns.Interleave(s2, s3);
                s0.StoreUnsafe(ref sums, (nuint)c);
                s1.StoreUnsafe(ref sums, (nuint)(c + 8));
                s2.StoreUnsafe(ref sums, (nuint)(c + 16));
                s3.StoreUnsafe(ref sums, (nuint)(c + 24));
            }
        }

        /// <summary>
        /// An f16 strip with an infinity or a NaN: columns [c, c + 32) accumulated in order with the exact widening
        /// (<see cref="Widening.LoadWidened256(ref Half)"/>), the correction first, then each key's weight x value in key order.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // rare: kept out of the strip's registers
        private static void StripExact(ref float sums, int c, float correction, ReadOnlySpan<float> weights, ref TElement rows, nint stride)
        {
            for (int j = c; j < c + 32; j += 8)
            {
                Vector256<float> sum = Vector256.LoadUnsafe(ref sums, (nuint)j) * correction;
                ref Half column = ref Unsafe.As<TElement, Half>(ref Unsafe.Add(ref rows, j));
                nint offset = 0;
                for (int t = 0; t < weights.Length; t++, offset += stride)
                {
                    sum = Vector256.FusedMultiplyAdd(Vector256.Create(weights[t]), Widening.LoadWidened256(ref Unsafe.Add(ref column, offset)), sum);
                }

                sum.StoreUnsafe(ref sums, (nuint)j);
            }
        }
    }
}
