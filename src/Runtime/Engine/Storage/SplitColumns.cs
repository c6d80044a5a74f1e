using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// Split loads of 16-bit rows for the decode loops that read bf16 and finite f16 rows in place (AVX2): one 32-byte load
    /// gives 16 columns, widened as the 8 even columns and the 8 odd ones instead of 8 and 8 in order.
    /// </summary>
    /// <remarks>
    /// A 32-bit lane holds two 16-bit values. For bf16 the odd one is already a float in the lane's upper half (an and
    /// clears the even one) and the even one is the lane shifted left by 16. For finite f16 one arithmetic shift right by
    /// 3 puts the odd value's sign, exponent and mantissa under float's (as <see cref="Widening"/>'s finite widening does
    /// after its sign extension), a shift left by 16 first does the same for the even one, and an and clears the rest;
    /// the result is 2^-112 times the value (the widening without its multiply; <see cref="Load{TElement}"/> makes the even
    /// one with a multiply instead of the two shifts). The callers fold
    /// <see cref="FiniteHalfScale"/> into the other factor instead (a query row, a weight), which leaves every product
    /// exactly the product of the widened values: scaling by a power of two is exact, and f16's subnormals are exact float
    /// subnormals at 2^-112 times. (Sums then follow the loop's own order: the value accumulation keeps the float tile's
    /// order and so its bits; the dot products add the even and the odd columns in another order than the in-order loops,
    /// within float rounding of them.) Per 16 bf16 columns this is 1 load, 1 and and 1 shift instead of 2
    /// widening loads and 2 shifts; on Zen 1 every 256-bit operation is two, and shifts and widening shuffles share one
    /// pipe (bench/RESULTS.md, "Figures moved here from code comments"). The other factor must then be in
    /// the same column order: <see cref="DeinterleaveRow"/> for a query row, <see cref="Deinterleave"/> /
    /// <see cref="Interleave"/> for sums kept in registers.
    /// </remarks>
    internal static class SplitColumns
    {
        /// <summary>2^112: f16's split columns times this are the f16 values.</summary>
        public const float FiniteHalfScale = 5.192296858534828e33f;

        /// <summary>Whether rows of <typeparamref name="TElement"/> are read with split loads (bf16 or finite f16, AVX2).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Supported<TElement>() =>
            Avx2.IsSupported && (typeof(TElement) == typeof(BFloat16) || typeof(TElement) == typeof(FiniteHalf));

        /// <summary>
        /// The 16 columns at <paramref name="row"/>: the even ones in <paramref name="even"/>, the odd ones in
        /// <paramref name="odd"/>; bf16 exactly, finite f16 as 2^-112 times its values (see the class remarks). Only when
        /// <see cref="Supported{TElement}"/>.
        /// </summary>
        /// <remarks>
        /// f16's even column is the lane's low 16 bits sign-extended and shifted left by 13, made by one vpmaddwd (the low
        /// word times 2^13 plus the high word times 0) instead of two shifts: on Zen 1 the vector shifts share one pipe,
        /// the multiply takes another. Faster on both vendors' models and measured faster on Zen 1 (bench/RESULTS.md,
        /// "In-place float32 GQA tiles, spread value prefetches, f16 by multiply").
        /// <see cref="LoadByShifts"/> is the two-shift form, for loops with no register to spare for the multiplier.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Load<TElement>(ref TElement row, out Vector256<float> even, out Vector256<float> odd)
            where TElement : unmanaged
        {
            Vector256<int> lanes = Vector256.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
            if (typeof(TElement) == typeof(BFloat16))
            {
                even = (lanes << 16).AsSingle();
                odd = (lanes & Vector256.Create(unchecked((int)0xFFFF0000))).AsSingle();
            }
            else
            {
                Vector256<int> signAndMagnitude = Vector256.Create(unchecked((int)0x8FFFE000));
                even = (Avx2.MultiplyAddAdjacent(lanes.AsInt16(), Vector256.Create(1 << 13).AsInt16()) & signAndMagnitude).AsSingle();
                odd = ((lanes >> 3) & signAndMagnitude).AsSingle();
            }
        }

        /// <summary>
        /// <see cref="Load{TElement}"/> with f16's even column made by two shifts (the lane shifted left by 16, then
        /// arithmetically right by 3): the same values. For the GQA score loop, whose 8 sums, 4 loaded vectors and query
        /// leave no register for the multiplier (fewer cycles this way under llvm-mca, the same measured time; bench/RESULTS.md,
        /// "In-place float32 GQA tiles, spread value prefetches, f16 by multiply").
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadByShifts<TElement>(ref TElement row, out Vector256<float> even, out Vector256<float> odd)
            where TElement : unmanaged
        {
            if (typeof(TElement) == typeof(BFloat16))
            {
                Load(ref row, out even, out odd);
                return;
            }

            Vector256<int> lanes = Vector256.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
            Vector256<int> signAndMagnitude = Vector256.Create(unchecked((int)0x8FFFE000));
            even = (((lanes << 16) >> 3) & signAndMagnitude).AsSingle();
            odd = ((lanes >> 3) & signAndMagnitude).AsSingle();
        }

        /// <summary>
        /// <see cref="Load{TElement}"/>, f16's largest magnitude also gathered into <paramref name="largest"/> from the same
        /// load (an and and an unsigned max per 16 values, as <see cref="Widening.AllFinite"/>): the loops that read f16 rows
        /// as finite test them this way instead of scanning each block first (see <see cref="AllFinite"/>). bf16: nothing
        /// gathered.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadTested<TElement>(ref TElement row, out Vector256<float> even, out Vector256<float> odd, ref Vector256<ushort> largest)
            where TElement : unmanaged
        {
            if (typeof(TElement) == typeof(FiniteHalf))
            {
                Vector256<int> lanes = Vector256.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
                largest = Vector256.Max(largest, lanes.AsUInt16() & Vector256.Create((ushort)0x7FFF));
                Vector256<int> signAndMagnitude = Vector256.Create(unchecked((int)0x8FFFE000));
                even = (Avx2.MultiplyAddAdjacent(lanes.AsInt16(), Vector256.Create(1 << 13).AsInt16()) & signAndMagnitude).AsSingle();
                odd = ((lanes >> 3) & signAndMagnitude).AsSingle();
                return;
            }

            Load(ref row, out even, out odd);
        }

        /// <summary><see cref="LoadByShifts{TElement}"/> with the gathering of <see cref="LoadTested{TElement}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadByShiftsTested<TElement>(ref TElement row, out Vector256<float> even, out Vector256<float> odd, ref Vector256<ushort> largest)
            where TElement : unmanaged
        {
            if (typeof(TElement) == typeof(FiniteHalf))
            {
                Vector256<int> lanes = Vector256.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
                largest = Vector256.Max(largest, lanes.AsUInt16() & Vector256.Create((ushort)0x7FFF));
                Vector256<int> signAndMagnitude = Vector256.Create(unchecked((int)0x8FFFE000));
                even = (((lanes << 16) >> 3) & signAndMagnitude).AsSingle();
                odd = ((lanes >> 3) & signAndMagnitude).AsSingle();
                return;
            }

            LoadByShifts(ref row, out even, out odd);
        }

        /// <summary>Whether <see cref="LoadTested512"/> runs: AVX-512 F and BW.</summary>
        public static bool Supported512
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Avx512F.IsSupported && Avx512BW.IsSupported;
        }

        /// <summary>
        /// Two <see cref="LoadTested{TElement}"/> of f16 in one 64-byte load (<see cref="Supported512"/>): columns 0..15
        /// as <paramref name="even"/> and <paramref name="odd"/>, 16..31 as <paramref name="nextEven"/> and
        /// <paramref name="nextOdd"/>, the same values, the widening and the test done once at 512 bits (the halves of
        /// a 512-bit lane order are the two 256-bit loads').
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadTested512<TElement>(ref TElement row, out Vector256<float> even, out Vector256<float> odd, out Vector256<float> nextEven,
            out Vector256<float> nextOdd, ref Vector512<ushort> largest)
            where TElement : unmanaged
        {
            Vector512<int> lanes = Vector512.LoadUnsafe(ref Unsafe.As<TElement, int>(ref row));
            largest = Vector512.Max(largest, lanes.AsUInt16() & Vector512.Create((ushort)0x7FFF));
            Vector512<int> signAndMagnitude = Vector512.Create(unchecked((int)0x8FFFE000));
            Vector512<float> evens = (Avx512BW.MultiplyAddAdjacent(lanes.AsInt16(), Vector512.Create(1 << 13).AsInt16()) & signAndMagnitude).AsSingle();
            Vector512<float> odds = ((lanes >> 3) & signAndMagnitude).AsSingle();
            even = evens.GetLower();
            odd = odds.GetLower();
            nextEven = evens.GetUpper();
            nextOdd = odds.GetUpper();
        }

        /// <summary><see cref="AllFinite"/> for <see cref="LoadTested512"/>'s gathering.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool AllFinite512(Vector512<ushort> largest) =>
            !Vector512.GreaterThanOrEqualAny(largest, Vector512.Create((ushort)0x7C00));

        /// <summary>Whether the largest f16 magnitude the loads gathered is finite (below 0x7C00, f16's infinity).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool AllFinite(Vector256<ushort> largest) =>
            !Vector256.GreaterThanOrEqualAny(largest, Vector256.Create((ushort)0x7C00));

        /// <summary>Columns 0..7 and 8..15 in order -> the 8 even columns and the 8 odd ones (AVX2).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<float> Even, Vector256<float> Odd) Deinterleave(Vector256<float> low, Vector256<float> high)
        {
            Vector256<int> order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            Vector256<float> lowSorted = Avx2.PermuteVar8x32(low, order), highSorted = Avx2.PermuteVar8x32(high, order);
            return (Avx.Permute2x128(lowSorted, highSorted, 0x20), Avx.Permute2x128(lowSorted, highSorted, 0x31));
        }

        /// <summary>The inverse of <see cref="Deinterleave"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<float> Low, Vector256<float> High) Interleave(Vector256<float> even, Vector256<float> odd)
        {
            Vector256<float> low = Avx.UnpackLow(even, odd), high = Avx.UnpackHigh(even, odd);
            return (Avx.Permute2x128(low, high, 0x20), Avx.Permute2x128(low, high, 0x31));
        }

        /// <summary>
        /// The first d / 16 x 16 of a row's <paramref name="d"/> floats in the split loads' order: each whole 16 columns as
        /// their 8 even then 8 odd ones, times 2^112 for finite f16 rows (the callers read the other d mod 16 columns from
        /// the row itself). False (the destination then not to be used) when a scaled element is not finite: for f16, an
        /// element of magnitude 2^16 or more, an infinity or a NaN.
        /// </summary>
        public static bool DeinterleaveRow<TElement>(ref float source, ref float destination, int d)
        {
            bool half = typeof(TElement) == typeof(FiniteHalf); // bf16: the columns reordered only, nothing scaled, nothing to test
            Vector256<float> largest = Vector256<float>.Zero;
            int c = 0;
            for (; c <= d - 16; c += 16)
            {
                (Vector256<float> even, Vector256<float> odd) = Deinterleave(Vector256.LoadUnsafe(ref source, (nuint)c), Vector256.LoadUnsafe(ref source, (nuint)(c + 8)));
                if (half)
                {
                    even *= FiniteHalfScale;
                    odd *= FiniteHalfScale;
                    largest = Vector256.Max(largest, Vector256.Max(Vector256.Abs(even), Vector256.Abs(odd))); // Max propagates NaN
                }

                even.StoreUnsafe(ref destination, (nuint)c);
                odd.StoreUnsafe(ref destination, (nuint)(c + 8));
            }

            return !half || Vector256.LessThanAll(largest, Vector256.Create(float.PositiveInfinity));
        }

        /// <summary>
        /// <paramref name="destination"/>[i] = 2^112 x <paramref name="source"/>[i]: softmax weights (at most 1, so exact) for
        /// f16 value rows read with split loads, whose values are 2^-112 times the true ones. The spans may be the same.
        /// Vector256 code: for the split-load paths, which run only with AVX2.
        /// </summary>
        public static void ScaleWeights(ReadOnlySpan<float> source, Span<float> destination)
        {
            ref float from = ref MemoryMarshal.GetReference(source);
            ref float to = ref MemoryMarshal.GetReference(destination.Slice(0, source.Length));
            int i = 0;
            for (; i <= source.Length - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref from, (nuint)i) * FiniteHalfScale).StoreUnsafe(ref to, (nuint)i);
            }

            for (; i < source.Length; i++)
            {
                Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i) * FiniteHalfScale;
            }
        }
    }
}
