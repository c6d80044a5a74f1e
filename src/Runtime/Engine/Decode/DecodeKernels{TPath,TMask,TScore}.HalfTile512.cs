using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    // The in-place value tile for f16 rows with AVX-512: 32 columns a load.
    internal abstract partial class DecodeKernels<TPath, TMask, TScore>
    {
        /// <summary>Whether f16 value tiles take <see cref="AccumulateHalfTile512"/>: AVX-512 F and BW, d a multiple of 32.</summary>
        internal static bool HalfTile512
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => SplitColumns.Supported512 && D % 32 == 0;
        }

        /// <summary>
        /// <see cref="AccumulateTileInPlace"/> for f16 value rows (read as finite) with AVX-512 (<see cref="HalfTile512"/>):
        /// each key's 32 columns of a strip are one 64-byte load, widened and tested at 512 bits (half the integer
        /// operations of two 32-byte loads), and its halves go into the 4 rows' 16 sums as the 256-bit tile's two strips
        /// would take them: each element gets the same operations in the same order, so the same bits. A strip that held an
        /// infinity or a NaN is not stored but taken again with the exact widening (<see cref="StripExact"/>, both halves).
        /// The weights are scaled by 2^112 in place, as there.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        internal static void AccumulateHalfTile512(Span<float> accumulators, ReadOnlySpan<float> corrections, Span<float> weights, ref FiniteHalf valueRows, int stride, int keyCount)
        {
            for (int r = 0; r < 4; r++)
            {
                SplitColumns.ScaleWeights(weights.Slice(r * KeyBlock, keyCount), weights.Slice(r * KeyBlock, keyCount));
            }

            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulators);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            float correction0 = corrections[0], correction1 = corrections[1], correction2 = corrections[2], correction3 = corrections[3];
            for (int column = 0; column < D; column += 32)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                (Vector256<float> even0, Vector256<float> odd0) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator) * correction0, Vector256.LoadUnsafe(ref accumulator, 8) * correction0);
                (Vector256<float> nextEven0, Vector256<float> nextOdd0) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, 16) * correction0,
                    Vector256.LoadUnsafe(ref accumulator, 24) * correction0);
                (Vector256<float> even1, Vector256<float> odd1) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, (nuint)D) * correction1, Vector256.LoadUnsafe(ref accumulator, (nuint)(D + 8)) * correction1);
                (Vector256<float> nextEven1, Vector256<float> nextOdd1) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, (nuint)(D + 16)) * correction1,
                    Vector256.LoadUnsafe(ref accumulator, (nuint)(D + 24)) * correction1);
                (Vector256<float> even2, Vector256<float> odd2) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D)) * correction2, Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D + 8)) * correction2);
                (Vector256<float> nextEven2, Vector256<float> nextOdd2) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D + 16)) * correction2,
                    Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D + 24)) * correction2);
                (Vector256<float> even3, Vector256<float> odd3) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D)) * correction3, Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D + 8)) * correction3);
                (Vector256<float> nextEven3, Vector256<float> nextOdd3) = SplitColumns.Deinterleave(Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D + 16)) * correction3,
                    Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D + 24)) * correction3);
                ref FiniteHalf valueRow = ref Unsafe.Add(ref valueRows, column);
                Vector512<ushort> largest = Vector512<ushort>.Zero;
                nint offset = 0; // stepped, not a bumped reference: that would end past the last row
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++, offset += stride)
                {
                    SplitColumns.LoadTested512(ref Unsafe.Add(ref valueRow, offset), out Vector256<float> even, out Vector256<float> odd, out Vector256<float> nextEven,
                        out Vector256<float> nextOdd, ref largest);
                    Vector256<float> weight0 = Vector256.Create(weight);
                    even0 = Vector256.FusedMultiplyAdd(weight0, even, even0);
                    odd0 = Vector256.FusedMultiplyAdd(weight0, odd, odd0);
                    nextEven0 = Vector256.FusedMultiplyAdd(weight0, nextEven, nextEven0);
                    nextOdd0 = Vector256.FusedMultiplyAdd(weight0, nextOdd, nextOdd0);
                    Vector256<float> weight1 = Vector256.Create(Unsafe.Add(ref weight, KeyBlock));
                    even1 = Vector256.FusedMultiplyAdd(weight1, even, even1);
                    odd1 = Vector256.FusedMultiplyAdd(weight1, odd, odd1);
                    nextEven1 = Vector256.FusedMultiplyAdd(weight1, nextEven, nextEven1);
                    nextOdd1 = Vector256.FusedMultiplyAdd(weight1, nextOdd, nextOdd1);
                    Vector256<float> weight2 = Vector256.Create(Unsafe.Add(ref weight, 2 * KeyBlock));
                    even2 = Vector256.FusedMultiplyAdd(weight2, even, even2);
                    odd2 = Vector256.FusedMultiplyAdd(weight2, odd, odd2);
                    nextEven2 = Vector256.FusedMultiplyAdd(weight2, nextEven, nextEven2);
                    nextOdd2 = Vector256.FusedMultiplyAdd(weight2, nextOdd, nextOdd2);
                    Vector256<float> weight3 = Vector256.Create(Unsafe.Add(ref weight, 3 * KeyBlock));
                    even3 = Vector256.FusedMultiplyAdd(weight3, even, even3);
                    odd3 = Vector256.FusedMultiplyAdd(weight3, odd, odd3);
                    nextEven3 = Vector256.FusedMultiplyAdd(weight3, nextEven, nextEven3);
                    nextOdd3 = Vector256.FusedMultiplyAdd(weight3, nextOdd, nextOdd3);
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                if (!SplitColumns.AllFinite512(largest))
                {
                    StripExact(ref accumulator, corrections, ref weightStart, ref Unsafe.As<FiniteHalf, Half>(ref valueRow), stride, keyCount);
                    StripExact(ref Unsafe.Add(ref accumulator, 16), corrections, ref weightStart, ref Unsafe.As<FiniteHalf, Half>(ref Unsafe.Add(ref valueRow, 16)), stride, keyCount);
                    continue;
                }

                (even0, odd0) = SplitColumns.Interleave(even0, odd0);
                (nextEven0, nextOdd0) = SplitColumns.Interleave(nextEven0, nextOdd0);
                even0.StoreUnsafe(ref accumulator);
                odd0.StoreUnsafe(ref accumulator, 8);
                nextEven0.StoreUnsafe(ref accumulator, 16);
                nextOdd0.StoreUnsafe(ref accumulator, 24);
                (even1, odd1) = SplitColumns.Interleave(even1, odd1);
                (nextEven1, nextOdd1) = SplitColumns.Interleave(nextEven1, nextOdd1);
                even1.StoreUnsafe(ref accumulator, (nuint)D);
                odd1.StoreUnsafe(ref accumulator, (nuint)(D + 8));
                nextEven1.StoreUnsafe(ref accumulator, (nuint)(D + 16));
                nextOdd1.StoreUnsafe(ref accumulator, (nuint)(D + 24));
                (even2, odd2) = SplitColumns.Interleave(even2, odd2);
                (nextEven2, nextOdd2) = SplitColumns.Interleave(nextEven2, nextOdd2);
                even2.StoreUnsafe(ref accumulator, (nuint)(2 * D));
                odd2.StoreUnsafe(ref accumulator, (nuint)(2 * D + 8));
                nextEven2.StoreUnsafe(ref accumulator, (nuint)(2 * D + 16));
                nextOdd2.StoreUnsafe(ref accumulator, (nuint)(2 * D + 24));
                (even3, odd3) = SplitColumns.Interleave(even3, odd3);
                (nextEven3, nextOdd3) = SplitColumns.Interleave(nextEven3, nextOdd3);
                even3.StoreUnsafe(ref accumulator, (nuint)(3 * D));
                odd3.StoreUnsafe(ref accumulator, (nuint)(3 * D + 8));
                nextEven3.StoreUnsafe(ref accumulator, (nuint)(3 * D + 16));
                nextOdd3.StoreUnsafe(ref accumulator, (nuint)(3 * D + 24));
            }
        }
    }
}
