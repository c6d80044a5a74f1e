using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>Software prefetch hints for rows read in place (no reference is formed past a span).</summary>
    internal static class Prefetch
    {
        /// <summary>
        /// Key and value bytes a one-row decode call must read before its rows are prefetched (2 MiB, a core's L2 or more).
        /// Below it the rows come from L2 or L3, where the hardware prefetchers keep up and the hints only cost
        /// instructions (and L1 lines): a short cache read faster without them, a cache past L3 needs them
        /// (bench/RESULTS.md, "16-bit decode over short caches").
        /// </summary>
        internal const long MinimumRowBytes = 2L << 20;

        /// <summary>Whether the one-row loops prefetch rows for a call reading <paramref name="keyValueBytes"/> bytes of keys and values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static bool Pays(long keyValueBytes) => Sse.IsSupported && keyValueBytes >= MinimumRowBytes;

        /// <summary><paramref name="lines"/> consecutive cache lines from <paramref name="start"/> (a hint, never a fault).</summary>
        internal static unsafe void Lines<TElement>(ref TElement start, int lines)
            where TElement : unmanaged
        {
            byte* at = (byte*)Unsafe.AsPointer(ref start);
            for (int line = 0; line < lines; line++)
            {
                Sse.Prefetch0(at + line * 64);
            }
        }

        /// <summary>The strided case of <see cref="DecodeKernels{TPath, TMask, TScore}.PrefetchRows"/>: a call, to keep its registers out of the score loops.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static unsafe void RowLines(byte* keyStart, byte* valueStart, nint rowBytes, int linesPerRow, int from, int to)
        {
            for (int row = from; row < to; row++)
            {
                for (int line = 0; line < linesPerRow; line++)
                {
                    Sse.Prefetch0(keyStart + row * rowBytes + line * 64);
                    Sse.Prefetch0(valueStart + row * rowBytes + line * 64);
                }
            }
        }

        /// <summary>Prefetches the cache lines of one row of <paramref name="columns"/> elements into every cache level (x86 only; a hint, never a fault).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Row<TElement>(ref TElement row, int columns)
            where TElement : unmanaged => Columns(ref row, 0, columns);

        /// <summary>Prefetches the cache lines of columns [from, to) of a row, as <see cref="Row{TElement}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static unsafe void Columns<TElement>(ref TElement row, int from, int to)
            where TElement : unmanaged
        {
            byte* start = (byte*)Unsafe.AsPointer(ref row);
            for (int offset = from * sizeof(TElement); offset < to * sizeof(TElement); offset += 64)
            {
                Sse.Prefetch0(start + offset);
            }
        }
    }
}
