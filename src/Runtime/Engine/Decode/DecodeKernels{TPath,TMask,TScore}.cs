using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>The tiled decode's micro-kernels: four heads' scores per key row read in place, and P V over value rows of any element type.</summary>
    internal abstract partial class DecodeKernels<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// scores[r x KeyBlock + t] = ScoreScale x dot(query row r, key row t) for 4 contiguous query rows and
        /// <paramref name="count"/> key rows <paramref name="stride"/> elements apart (any element type, widened exactly in
        /// registers). Two keys per step: 8 independent sums, each key vector loaded once for 4 FMAs.
        /// </summary>
        /// <remarks>
        /// Each step also prefetches its share of <paramref name="prefetch"/>'s rows from <paramref name="nextKeys"/> and
        /// <paramref name="nextValues"/> (this head's part of the next block, see <see cref="NextRegion"/>; only the keys
        /// when <see cref="NextBlockPrefetch.KeysOnly"/>: float32 tiles prefetch the values), spread evenly over the steps. Without it a GQA decode step stalls on misses (bench/RESULTS.md, "16-bit batched
        /// kernels, in-place layouts, GQA groups"): the tile accumulation walks a block's value rows column by column, 64 rows
        /// 512 bytes apart, which no hardware prefetcher follows, and [B, N, H, d] rows sit a page apart. A prefetch is only
        /// a hint: it never faults, whatever the address.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void ScoreRows4<TElement>(ref float queries, ref TElement keys, int stride, int count, Span<float> scores, ref TElement nextKeys,
            ref TElement nextValues, NextBlockPrefetch prefetch)
            where TElement : unmanaged
        {
            int mainColumns = D / 8 * 8;
            float scale = TPath.ScoreScale;
            ref float q0 = ref queries; // rows 1..3 at constant displacements: one register for the 4 rows (4 refs spilled)
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            int rowsPerStep = prefetch.RowsPerStep(count);
            int t = 0;
            for (; t + 1 < count; t += 2)
            {
                ref TElement k0 = ref Unsafe.Add(ref keys, (nint)t * stride);
                ref TElement k1 = ref Unsafe.Add(ref k0, stride);
                if (Sse.IsSupported && prefetch.Rows > 0)
                {
                    int firstRow = t / 2 * rowsPerStep;
                    PrefetchRows(ref nextKeys, ref nextValues, prefetch, firstRow, Math.Min(prefetch.Rows, firstRow + rowsPerStep));
                }

                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
                for (int c = 0; c < mainColumns; c += 8)
                {
                    Vector256<float> x0 = Widening.LoadWidened256(ref Unsafe.Add(ref k0, c));
                    Vector256<float> x1 = Widening.LoadWidened256(ref Unsafe.Add(ref k1, c));
                    Vector256<float> q = Vector256.LoadUnsafe(ref q0, (nuint)c);
                    s00 = Vector256.FusedMultiplyAdd(q, x0, s00);
                    s01 = Vector256.FusedMultiplyAdd(q, x1, s01);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D));
                    s10 = Vector256.FusedMultiplyAdd(q, x0, s10);
                    s11 = Vector256.FusedMultiplyAdd(q, x1, s11);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D));
                    s20 = Vector256.FusedMultiplyAdd(q, x0, s20);
                    s21 = Vector256.FusedMultiplyAdd(q, x1, s21);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D));
                    s30 = Vector256.FusedMultiplyAdd(q, x0, s30);
                    s31 = Vector256.FusedMultiplyAdd(q, x1, s31);
                }

                Vector128<float> first = Reductions.Sum4(s00, s10, s20, s30), second = Reductions.Sum4(s01, s11, s21, s31);
                for (int r = 0; r < 4; r++)
                {
                    ref float query = ref Unsafe.Add(ref queries, r * D);
                    Unsafe.Add(ref scoreStart, r * KeyBlock + t) = (first.GetElement(r) + TailDot(ref query, ref k0, mainColumns)) * scale;
                    Unsafe.Add(ref scoreStart, r * KeyBlock + t + 1) = (second.GetElement(r) + TailDot(ref query, ref k1, mainColumns)) * scale;
                }
            }

            if (t < count)
            {
                ref TElement k0 = ref Unsafe.Add(ref keys, (nint)t * stride);
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int c = 0; c < mainColumns; c += 8)
                {
                    Vector256<float> x0 = Widening.LoadWidened256(ref Unsafe.Add(ref k0, c));
                    s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref q0, (nuint)c), x0, s0);
                    s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D)), x0, s1);
                    s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D)), x0, s2);
                    s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D)), x0, s3);
                }

                Vector128<float> sums = Reductions.Sum4(s0, s1, s2, s3);
                for (int r = 0; r < 4; r++)
                {
                    Unsafe.Add(ref scoreStart, r * KeyBlock + t) = (sums.GetElement(r) + TailDot(ref Unsafe.Add(ref queries, r * D), ref k0, mainColumns)) * scale;
                }
            }
        }

        /// <summary>The columns past the last whole vector of 8 (none when d is a multiple of 8: a JIT-time constant).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float TailDot<TElement>(ref float query, ref TElement key, int from)
            where TElement : unmanaged
        {
            float dot = 0f;
            for (int c = from; c < D; c++)
            {
                dot += Unsafe.Add(ref query, c) * Widening.Widen(Unsafe.Add(ref key, c));
            }

            return dot;
        }

        /// <summary>
        /// What a grouped decode prefetches of the next block while one key/value head scores a block: <see cref="Rows"/>
        /// rows <see cref="RowStride"/> elements apart, <see cref="LinesPerRow"/> cache lines of each (default: nothing).
        /// </summary>
        internal readonly struct NextBlockPrefetch
        {
            public NextBlockPrefetch(int rows, int rowStride, int linesPerRow, bool keysOnly = false)
            {
                Rows = rows;
                RowStride = rowStride;
                LinesPerRow = linesPerRow;
                KeysOnly = keysOnly;
            }

            /// <summary>The score steps prefetch only the keys; the value tile takes the values (see AccumulateTileInPlace).</summary>
            public bool KeysOnly { get; }

            /// <summary>This plan with <see cref="KeysOnly"/> set.</summary>
            public NextBlockPrefetch WithKeysOnly() => new(Rows, RowStride, LinesPerRow, keysOnly: true);

            public int Rows { get; }

            public int RowStride { get; }

            public int LinesPerRow { get; }

            /// <summary>Rows per step of two keys, so that <paramref name="keys"/> keys' steps take them all.</summary>
            public int RowsPerStep(int keys) => Rows > 0 ? (Rows + (keys + 1) / 2 - 1) / ((keys + 1) / 2) : 0;
        }

        /// <summary>
        /// What key/value head <paramref name="keyHead"/> prefetches of the next block (<paramref name="nextCount"/> rows
        /// from row <paramref name="nextRow"/>) while it scores a block; <paramref name="start"/> is the element offset of
        /// the first row. [B, H, N, d] (rows d apart): its own next block, one contiguous region. [B, N, H, d] whose rows
        /// hold just the call's heads (H_kv x d apart, every head in one call): the next block's rows are one contiguous
        /// span of every head, and each head takes an equal share of it: sequential lines in whole pages, as the
        /// hardware prefetchers and DRAM like, instead of 256 bytes in every 2 KiB (bf16, 8 heads). [B, N, H, d] rows
        /// shared with other calls (threads took the other heads): the head's own d elements of each row, as before.
        /// </summary>
        internal static NextBlockPrefetch NextRegion(int keyHead, int keyValueHeads, int keyHeadStride, int stride, int nextRow, int nextCount, int elementSize,
            out nint start)
        {
            start = 0; // no reference past the rows when there is no next block
            int lineElements = 64 / elementSize;
            if (nextCount <= 0)
            {
                return default;
            }

            if (stride != D && stride != keyValueHeads * D)
            {
                start = (nint)keyHead * keyHeadStride + (nint)nextRow * stride;
                return new NextBlockPrefetch(nextCount, stride, (D + lineElements - 1) / lineElements);
            }

            long offset = (long)keyHead * keyHeadStride + (long)nextRow * stride, elements = (long)nextCount * D;
            if (stride != D)
            {
                long span = (long)nextCount * stride; // every head of the next block's rows
                long share = (span + keyValueHeads - 1) / keyValueHeads;
                long from = Math.Min(span, (long)keyHead * share);
                offset = (long)nextRow * stride + from;
                elements = Math.Min(share, span - from);
                if (elements <= 0)
                {
                    return default;
                }
            }

            start = (nint)offset;
            return new NextBlockPrefetch((int)((elements + lineElements - 1) / lineElements), lineElements, 1); // the last line may pass the end: a hint never faults
        }

        /// <summary>Rows [from, to) of <paramref name="plan"/> from each region (a step's share, see ScoreRows4).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static unsafe void PrefetchRows<TElement>(ref TElement keys, ref TElement values, NextBlockPrefetch plan, int from, int to)
            where TElement : unmanaged
        {
            byte* keyStart = (byte*)Unsafe.AsPointer(ref keys), valueStart = (byte*)Unsafe.AsPointer(ref values);
            Debug.Assert(!plan.KeysOnly || (plan.LinesPerRow == 1 && plan.RowStride * sizeof(TElement) == 64), "keys-only plans are contiguous lines");
            if (plan.LinesPerRow == 1 && plan.RowStride * sizeof(TElement) == 64)
            {
                // A contiguous region, a "row" per line (rows of one line 64 bytes apart): the plain loop (the nested one below
                // measured slower on the B = 1 bf16 GQA step; bench/RESULTS.md, "Figures moved here from code comments").
                if (plan.KeysOnly)
                {
                    for (int line = from; line < to; line++)
                    {
                        Sse.Prefetch0(keyStart + line * 64);
                    }

                    return;
                }

                for (int line = from; line < to; line++)
                {
                    Sse.Prefetch0(keyStart + line * 64);
                    Sse.Prefetch0(valueStart + line * 64);
                }

                return;
            }

            Prefetch.RowLines(keyStart, valueStart, (nint)plan.RowStride * sizeof(TElement), plan.LinesPerRow, from, to);
        }
    }
}
