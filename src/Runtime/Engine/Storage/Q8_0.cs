using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen
{
    /// <summary>
    /// Conversion between float rows and q8_0 blocks (<see cref="BlockQ8_0"/>), bit for bit as ggml converts them: the
    /// rounding of ggml's reference quantiser <c>quantize_row_q8_0_ref</c> and the product of <c>dequantize_row_q8_0</c>
    /// (ggml/src/ggml-quants.c).
    /// </summary>
    /// <remarks>
    /// <para>Per block of 32 values x: <c>amax = max |x_j|</c>, <c>d = amax / 127</c>, <c>id = d != 0 ? 1 / d : 0</c>
    /// (all float32), the stored scale is d rounded to half (nearest, ties to even), and <c>q_j = round(x_j x id)</c>
    /// with halves rounded away from zero (C's <c>roundf</c>). Note that q is computed from the float d, not from the
    /// half it is stored as, as ggml does. Dequantising gives <c>(float)scale x q_j</c>, exactly.</para>
    /// <para>Blocks ggml's C leaves undefined (a NaN or an infinity among the 32 inputs, or a largest magnitude below
    /// about 3.7e-37 = 127 x 2^-128, where <c>1 / d</c> overflows) get what an x86-64 build of ggml gives, so the bytes
    /// still match: the running maximum is C's <c>a &gt; b ? a : b</c> (a NaN restarts it at the next value), a NaN
    /// scale is stored as the half 0x7E00, and each rounded value becomes an int8 as x86's truncating conversion does
    /// (a NaN or a value outside the int32 range gives int32's minimum), keeping the low 8 bits. A block holding an
    /// infinity therefore dequantises to NaN everywhere, and one holding a NaN to zeros where the NaNs were and, elsewhere,
    /// values scaled by the maximum after the last NaN (wrapped when larger): quantise finite data.</para>
    /// <para>With <c>Vector512</c>, <c>Vector256</c> or <c>Vector128</c> a block with finite values and a finite
    /// <c>1 / d</c> is quantised in vectors (the maximum over the magnitudes' bits as integers, which orders them as
    /// floats; the same float products; <c>roundf</c> as truncation plus one away from zero when the exact fraction is
    /// at least a half); every other block takes the scalar rule, so the result is the same bytes on every path.</para>
    /// </remarks>
    public static partial class Q8_0
    {
        /// <summary>
        /// Quantises <paramref name="source"/> (a multiple of 32 values) into <paramref name="destination"/> (one block per
        /// 32 values), as ggml's reference quantiser does.
        /// </summary>
        /// <param name="source">The values, a multiple of 32 of them (a row of d values is d / 32 blocks).</param>
        /// <param name="destination">Exactly <c>source.Length / 32</c> blocks, not overlapping <paramref name="source"/>.</param>
        /// <exception cref="ArgumentException"><paramref name="source"/>'s length is not a multiple of 32, or
        /// <paramref name="destination"/> does not hold exactly one block per 32 values or overlaps the source; checked
        /// before anything is written.</exception>
        public static void Quantize(ReadOnlySpan<float> source, Span<BlockQ8_0> destination)
        {
            if (source.Length % BlockQ8_0.ValueCount != 0)
            {
                throw new ArgumentException($"The source holds {source.Length} values, not a multiple of {BlockQ8_0.ValueCount} (one q8_0 block per {BlockQ8_0.ValueCount}).", nameof(source));
            }

            int blocks = source.Length / BlockQ8_0.ValueCount;
            if (destination.Length != blocks)
            {
                throw new ArgumentException($"The destination holds {destination.Length} blocks; {source.Length} values make {blocks}.", nameof(destination));
            }

            // A block's scale is written over bytes the scalar rule still reads when the spans overlap.
            if (MemoryMarshal.AsBytes(source).Overlaps(MemoryMarshal.AsBytes(destination)))
            {
                throw new ArgumentException("The destination overlaps the source.", nameof(destination));
            }

            ref float values = ref MemoryMarshal.GetReference(source);
            if (Vector512.IsHardwareAccelerated)
            {
                for (int i = 0; i < blocks; i++)
                {
                    ref float block = ref Unsafe.Add(ref values, i * BlockQ8_0.ValueCount);
                    if (!TryQuantize512(ref block, ref destination[i]))
                    {
                        QuantizeScalar(ref block, ref destination[i]);
                    }
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (int i = 0; i < blocks; i++)
                {
                    ref float block = ref Unsafe.Add(ref values, i * BlockQ8_0.ValueCount);
                    if (!TryQuantize256(ref block, ref destination[i]))
                    {
                        QuantizeScalar(ref block, ref destination[i]);
                    }
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (int i = 0; i < blocks; i++)
                {
                    ref float block = ref Unsafe.Add(ref values, i * BlockQ8_0.ValueCount);
                    if (!TryQuantize128(ref block, ref destination[i]))
                    {
                        QuantizeScalar(ref block, ref destination[i]);
                    }
                }
            }
            else
            {
                for (int i = 0; i < blocks; i++)
                {
                    QuantizeScalar(ref Unsafe.Add(ref values, i * BlockQ8_0.ValueCount), ref destination[i]);
                }
            }
        }

        /// <summary>
        /// Dequantises <paramref name="source"/> into <paramref name="destination"/>: value j of a block becomes
        /// <c>(float)scale x q_j</c>, exact, as ggml's <c>dequantize_row_q8_0</c>.
        /// </summary>
        /// <param name="source">The blocks.</param>
        /// <param name="destination">Exactly 32 values per block, not overlapping <paramref name="source"/>.</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> does not hold exactly 32 values per block,
        /// or overlaps the source; checked before anything is written.</exception>
        public static void Dequantize(ReadOnlySpan<BlockQ8_0> source, Span<float> destination)
        {
            if (destination.Length != (long)source.Length * BlockQ8_0.ValueCount)
            {
                throw new ArgumentException($"The destination holds {destination.Length} values; {source.Length} blocks make {(long)source.Length * BlockQ8_0.ValueCount}.", nameof(destination));
            }

            if (MemoryMarshal.AsBytes(source).Overlaps(MemoryMarshal.AsBytes(destination)))
            {
                throw new ArgumentException("The destination overlaps the source.", nameof(destination));
            }

            // Scalar on every path: each product is exact, so no path could differ, and no kernel calls this per step
            // (the kernels to come dequantise in registers).
            for (int i = 0; i < source.Length; i++)
            {
                ref readonly BlockQ8_0 block = ref source[i];
                float scale = (float)block.scale;
                Span<float> row = destination.Slice(i * BlockQ8_0.ValueCount, BlockQ8_0.ValueCount);
                ReadOnlySpan<sbyte> q = block.Values;
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] = q[j] * scale;
                }
            }
        }
    }
}
