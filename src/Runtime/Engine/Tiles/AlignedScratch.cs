using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// Scratch views that start on a 64-byte boundary (one cache line, one Vector512), so the tile loops' vector loads
    /// and stores of packed keys, scores and accumulators never split a cache line: Intel cores pay for a split load,
    /// AMD cores mostly do not, and a pooled array's own alignment changes from process to process (the issue-12 finding).
    /// A buffer is rented <see cref="PaddingFloats"/> floats longer than needed and viewed from its first aligned float.
    /// </summary>
    /// <remarks>
    /// The address is taken once, when the view is made. Pooled arrays large enough to matter live on the large-object
    /// heap, which the GC does not compact by default, and stack buffers never move; should a small array move during a
    /// call, only the alignment is lost, never correctness (the loops use unaligned loads throughout).
    /// </remarks>
    internal static class AlignedScratch
    {
        /// <summary>Bytes of alignment: a cache line.</summary>
        public const int Alignment = 64;

        /// <summary>Extra floats a buffer needs so that an aligned view of the requested length fits.</summary>
        public const int PaddingFloats = Alignment / sizeof(float);

        /// <summary>A pooled array with room for an aligned view of <paramref name="length"/> floats; return it to <see cref="ArrayPool{T}.Shared"/>.</summary>
        public static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length + PaddingFloats);

        /// <summary>The first <paramref name="length"/> floats of <paramref name="buffer"/> from its first 64-byte boundary.</summary>
        public static Span<float> View(Span<float> buffer, int length) => buffer.Slice(Skip(ref MemoryMarshal.GetReference(buffer)), length);

        /// <summary>The first <paramref name="length"/> floats of <paramref name="buffer"/> from its first 64-byte boundary.</summary>
        public static Span<float> View(float[] buffer, int length) => View(buffer.AsSpan(), length);

        private static unsafe int Skip(ref float start)
        {
            nuint address = (nuint)Unsafe.AsPointer(ref start);
            return (int)((Alignment - (address % Alignment)) % Alignment) / sizeof(float);
        }
    }
}
