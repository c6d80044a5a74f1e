using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen
{
    // Whether f16 values are all finite: the test that lets the decode loops widen f16 in 4 operations instead of 9 (see
    // the class remarks in Widening.cs). The loops test every block of keys and of values, so this is on their hot path;
    // with AVX-512 it reads 32 values an instruction, as the loops it guards then do (bench/RESULTS.md, "16-bit decode
    // over short caches").
    public static partial class Widening
    {
        /// <summary>
        /// <see cref="AllFinite"/> over <paramref name="rows"/> rows of <paramref name="d"/> values <paramref name="stride"/>
        /// apart from <paramref name="offset"/> ([B, N, H, d] caches): the largest magnitude gathered over every row and
        /// tested once, instead of a call per row (measured the same within noise; bench/RESULTS.md, "In-place float32 GQA
        /// tiles").
        /// </summary>
        internal static bool AllFiniteRows(ReadOnlySpan<Half> values, int offset, int stride, int rows, int d)
        {
            if (rows <= 0)
            {
                return true;
            }

            ReadOnlySpan<Half> region = values.Slice(offset, Engine.ElementTypes.Length(rows, stride, d)); // every row inside, checked once in 64 bits
            ref ushort start = ref Unsafe.As<Half, ushort>(ref MemoryMarshal.GetReference(region));
            int vectorColumns;
            if (Vector512.IsHardwareAccelerated)
            {
                vectorColumns = d / 32 * 32;
                Vector512<ushort> magnitude = Vector512.Create((ushort)MagnitudeMask), largest = Vector512<ushort>.Zero;
                for (int row = 0; row < rows; row++)
                {
                    ref ushort rowStart = ref Unsafe.Add(ref start, (nint)row * stride); // no call in this loop (see below)
                    for (int c = 0; c < vectorColumns; c += 32)
                    {
                        largest = Vector512.Max(largest, Vector512.LoadUnsafe(ref rowStart, (nuint)c) & magnitude);
                    }
                }

                if (Vector512.GreaterThanOrEqualAny(largest, Vector512.Create((ushort)HalfInfinityBits)))
                {
                    return false;
                }
            }
            else
            {
                vectorColumns = Vector256.IsHardwareAccelerated ? d / 16 * 16 : 0;
                Vector256<ushort> magnitude = Vector256.Create((ushort)MagnitudeMask), largest = Vector256<ushort>.Zero;
                for (int row = 0; row < rows; row++)
                {
                    // No call in this loop: across one the JIT keeps the running max on the stack (SysV saves no vector
                    // register), a store and a reload per 16 values (a first version with the tail check inside was measured
                    // much slower: bench/RESULTS.md, "In-place float32 GQA tiles").
                    ref ushort rowStart = ref Unsafe.Add(ref start, (nint)row * stride);
                    for (int c = 0; c < vectorColumns; c += 16)
                    {
                        largest = Vector256.Max(largest, Vector256.LoadUnsafe(ref rowStart, (nuint)c) & magnitude);
                    }
                }

                if (Vector256.GreaterThanOrEqualAny(largest, Vector256.Create((ushort)HalfInfinityBits)))
                {
                    return false;
                }
            }

            for (int row = 0; vectorColumns < d && row < rows; row++)
            {
                if (!AllFinite(region.Slice(row * stride + vectorColumns, d - vectorColumns)))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether no value of <paramref name="values"/> is an infinity or a NaN (f16 exponent field 31).</summary>
        /// <param name="values">The values.</param>
        /// <returns>True when every value is finite.</returns>
        /// <remarks>Compiled fully optimised on first use: a prefill over a 16-bit cache runs it over every key and value per call,
        /// and at tier 0 it kept calls 3-10 well off the steady speed (bench/RESULTS.md, "First call").</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool AllFinite(ReadOnlySpan<Half> values)
        {
            ReadOnlySpan<ushort> bits = MemoryMarshal.Cast<Half, ushort>(values);
            ref ushort start = ref MemoryMarshal.GetReference(bits);
            int index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // As the Vector256 loop below, 128 values a test.
                Vector512<ushort> magnitude = Vector512.Create((ushort)MagnitudeMask), infinity = Vector512.Create((ushort)HalfInfinityBits);
                for (; index <= bits.Length - 4 * Vector512<ushort>.Count; index += 4 * Vector512<ushort>.Count)
                {
                    Vector512<ushort> largest = Vector512.Max(
                        Vector512.Max(Vector512.LoadUnsafe(ref start, (nuint)index) & magnitude, Vector512.LoadUnsafe(ref start, (nuint)index + 32) & magnitude),
                        Vector512.Max(Vector512.LoadUnsafe(ref start, (nuint)index + 64) & magnitude, Vector512.LoadUnsafe(ref start, (nuint)index + 96) & magnitude));
                    if (Vector512.GreaterThanOrEqualAny(largest, infinity))
                    {
                        return false;
                    }
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                // Infinity or NaN <=> magnitude (the low 15 bits) >= 0x7C00: an and and an unsigned max per 16 values, one
                // test per 64.
                Vector256<ushort> magnitude = Vector256.Create((ushort)MagnitudeMask), infinity = Vector256.Create((ushort)HalfInfinityBits);
                for (; index <= bits.Length - 4 * Vector256<ushort>.Count; index += 4 * Vector256<ushort>.Count)
                {
                    Vector256<ushort> largest = Vector256.Max(
                        Vector256.Max(Vector256.LoadUnsafe(ref start, (nuint)index) & magnitude, Vector256.LoadUnsafe(ref start, (nuint)index + 16) & magnitude),
                        Vector256.Max(Vector256.LoadUnsafe(ref start, (nuint)index + 32) & magnitude, Vector256.LoadUnsafe(ref start, (nuint)index + 48) & magnitude));
                    if (Vector256.GreaterThanOrEqualAny(largest, infinity))
                    {
                        return false;
                    }
                }

                for (; index <= bits.Length - Vector256<ushort>.Count; index += Vector256<ushort>.Count)
                {
                    if (Vector256.GreaterThanOrEqualAny(Vector256.LoadUnsafe(ref start, (nuint)index) & magnitude, infinity))
                    {
                        return false;
                    }
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                Vector128<ushort> exponent = Vector128.Create((ushort)HalfInfinityBits);
                for (; index <= bits.Length - Vector128<ushort>.Count; index += Vector128<ushort>.Count)
                {
                    if (Vector128.EqualsAny(Vector128.LoadUnsafe(ref start, (nuint)index) & exponent, exponent))
                    {
                        return false;
                    }
                }
            }

            for (; index < bits.Length; index++)
            {
                if ((Unsafe.Add(ref start, index) & HalfInfinityBits) == HalfInfinityBits)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
