using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen
{
    /// <summary>
    /// One q8_0 block, laid out byte for byte as ggml's <c>block_q8_0</c> (llama.cpp's <c>-ctk q8_0</c> cache type): an
    /// IEEE half scale <c>d</c> (2 bytes) followed by 32 signed 8-bit values <c>q</c> (32 bytes), 34 bytes with no
    /// padding. Element j of the block is <c>d x q[j]</c>, computed in float (exact: an 11-bit significand times an
    /// 8-bit integer fits float's 24 bits).
    /// </summary>
    /// <remarks>
    /// Blocks come from <see cref="Q8_0.Quantize"/>, from <see cref="BlockQ8_0(Half, ReadOnlySpan{sbyte})"/>, or from
    /// ggml's own bytes viewed in place (<c>MemoryMarshal.Cast&lt;byte, BlockQ8_0&gt;</c>: the layout is ggml's, so no
    /// copy is needed). A row of d values is d / 32 consecutive blocks.
    /// </remarks>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct BlockQ8_0
    {
        /// <summary>The number of values in a block (ggml's <c>QK8_0</c>).</summary>
        public const int ValueCount = 32;

        /// <summary>The size of a block in bytes: the 2-byte scale and the 32 one-byte values.</summary>
        public const int ByteCount = 2 + ValueCount;

        // Internal rather than private so the quantiser writes a block in place (no 34-byte copy per block); users
        // read them through Scale, the indexer and Values.
        internal Half scale;
        internal ValueArray values;

        /// <summary>Makes a block from its scale and its 32 values.</summary>
        /// <param name="scale">The scale <c>d</c>.</param>
        /// <param name="values">The 32 values <c>q</c>.</param>
        /// <exception cref="ArgumentException"><paramref name="values"/> does not hold exactly 32 values.</exception>
        public BlockQ8_0(Half scale, ReadOnlySpan<sbyte> values)
        {
            if (values.Length != ValueCount)
            {
                throw new ArgumentException($"A q8_0 block holds {ValueCount} values; {values.Length} were given.", nameof(values));
            }

            this.scale = scale;
            values.CopyTo(this.values);
        }

        /// <summary>The block's scale <c>d</c>: element j is <c>(float)Scale x this[j]</c>.</summary>
        public readonly Half Scale => scale;

        /// <summary>The value <c>q[index]</c> (not scaled).</summary>
        /// <param name="index">0 to 31.</param>
        /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside 0 to 31.</exception>
        public readonly sbyte this[int index] => Values[index];

        /// <summary>The 32 values <c>q</c> (not scaled), read in place.</summary>
        [UnscopedRef]
        public readonly ReadOnlySpan<sbyte> Values => values;

        /// <summary>Element <paramref name="index"/> as a float, <c>(float)Scale x q[index]</c>, as ggml dequantises it.</summary>
        /// <param name="index">0 to 31.</param>
        /// <returns>The dequantised value (exact).</returns>
        /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside 0 to 31.</exception>
        public readonly float Dequantize(int index) => Values[index] * (float)scale;

        /// <summary>The 32 values, inline (one byte each, so the block stays 34 bytes).</summary>
        [InlineArray(ValueCount)]
        internal struct ValueArray
        {
            private sbyte first;
        }
    }
}
