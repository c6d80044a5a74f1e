using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>Query rows one at a time over exactly their key range (rows left over by the tiles, decode steps, paths without tiles).</summary>
    internal abstract class RowLoop<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>Single rows, as the thread scheduler calls them.</summary>
        internal readonly struct SingleRows : IRowRangeKernel
        {
            public static void Run(scoped in RowRangeArguments arguments, int rowStart, int rowEnd)
            {
                var rows = new FloatRows<TPath>(arguments.Key, arguments.Value);
                RunSingleRows(arguments.Query, arguments.Key, arguments.Value, ref rows, arguments.Output, arguments.LogSumExp, arguments.QueryCount, arguments.KeyCount,
                    rowStart, rowEnd, arguments.KeyMask, arguments.Mask, arguments.MaskStride, arguments.KeyPrefix, arguments.Score);
            }
        }

        /// <summary>Rows [rowStart, rowEnd) one at a time, each over exactly its key range; per-row state lives on the stack.</summary>
        /// <remarks>
        /// Key and value rows come from <paramref name="rows"/>: the caller's float spans read in place, or 16-bit rows
        /// widened in registers. <paramref name="key"/> and <paramref name="value"/> are the float spans (empty for
        /// 16-bit rows), which a long row hands to the threads as key chunks.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void RunSingleRows<TRows>(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ref TRows rows, Span<float> output,
            Span<float> logSumExp, int queryCount, int keyCount, int rowStart, int rowEnd, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride,
            ReadOnlySpan<int> keyPrefix, in ScoreState score)
            where TRows : IKeyValueRows, allows ref struct
        {
            Span<float> scores = stackalloc float[KeyBlock];
            Span<int> keyIndices = stackalloc int[HasGlobals ? KeyBlock : 0];
            Span<float> accumulator = stackalloc float[D];
            ref float queryStart = ref MemoryMarshal.GetReference(query);
            for (int queryRow = rowStart; queryRow < rowEnd; queryRow++)
            {
                ref float queryVector = ref Unsafe.Add(ref queryStart, queryRow * D);
                float runningMax = float.NegativeInfinity;
                float runningSum = 0f;
                RowRange(queryRow, queryCount, keyCount, keyPrefix, out int rangeStart, out int rangeEnd, out int visibleEnd, out bool globalRow);
                int position = Position(queryRow, queryCount, keyCount, keyPrefix);
                ReadOnlySpan<bool> rowMask = TMask.HasRuntimeMasks && !mask.IsEmpty ? mask.Slice(queryRow * maskStride, keyCount) : default;
                if (TMask.HasRuntimeMasks && !rowMask.IsEmpty)
                {
                    TightenToMask(rowMask, ref rangeStart, ref rangeEnd);
                }

                if (rangeEnd - rangeStart >= 2 * AttentionThreading.ChunkKeys)
                {
                    // A long row (a decode step over a long cache): fixed chunks of keys on the worker threads, merged in
                    // order (each chunk the same computation on any thread count); 16-bit rows hand their own spans over.
                    if (!rows.AccumulateLongRow<TMask, TScore>(query.Slice(queryRow * D, D), rangeStart, rangeEnd, queryRow, position, accumulator, out runningMax, out runningSum,
                        keyMask, rowMask, score))
                    {
                        LongRowChunks<TPath, TMask, TScore>.AccumulateChunks(query.Slice(queryRow * D, D), key, value, rangeStart, rangeEnd, queryRow, position, accumulator, out runningMax, out runningSum,
                            keyMask, rowMask, score);
                    }
                }
                else
                {
                    accumulator.Clear();
                    AccumulateRange(ref queryVector, ref rows, rangeStart, rangeEnd, queryRow, position, scores, accumulator, ref runningMax, ref runningSum,
                        keyMask, rowMask, score);
                }

                if (HasGlobals && !globalRow)
                {
                    // Global keys outside the window: before it, and after it up to visibleEnd.
                    AccumulateGlobalKeys(0, rangeStart, ref queryVector, ref rows, queryRow, position, scores, keyIndices, accumulator,
                        ref runningMax, ref runningSum, keyMask, rowMask, score);
                    AccumulateGlobalKeys(rangeEnd, visibleEnd, ref queryVector, ref rows, queryRow, position, scores, keyIndices, accumulator,
                        ref runningMax, ref runningSum, keyMask, rowMask, score);
                }

                // Normalise: out = acc / sum (with the sink's term), or zeros when the row saw no key.
                FinishRow(accumulator, runningMax, runningSum, output.Slice(queryRow * D, D), logSumExp, queryRow, score);
            }
        }

        /// <summary>
        /// Folds the keys [start, end) into one row's softmax state, KeyBlock keys at a time; with run-time masks, a block
        /// keyMask drops entirely is never read and the rest are masked after scoring.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void AccumulateRange<TRows>(ref float queryVector, ref TRows rows, int start, int end, int queryRow, int position,
            scoped Span<float> scores, scoped Span<float> accumulator, ref float runningMax, ref float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask,
            in ScoreState score)
            where TRows : IKeyValueRows, allows ref struct
        {
            int blockStart = start;
            while (blockStart < end)
            {
                int blockLength = Math.Min(KeyBlock, end - blockStart);
                Span<float> blockScores = scores.Slice(0, blockLength);
                if (TMask.HasRuntimeMasks && RuntimeMaskBits.AllDropped(keyMask, blockStart, blockLength))
                {
                    blockStart += blockLength; // every key of the block is dropped for this call: never read
                    continue;
                }

                // Scores: s = Scale * q . k for each key of the block, then the score transform.
                rows.ScoreBlock(ref queryVector, blockStart, blockScores);
                if (!TScore.IsIdentity)
                {
                    TScore.Apply(blockScores, queryRow, position, blockStart, score);
                }

                bool masked = TMask.HasRuntimeMasks && RuntimeMaskBits.Apply(blockScores, keyMask, rowMask, blockStart);
                if (TScore.MayHide && !masked)
                {
                    masked = blockScores.Contains(float.NegativeInfinity); // a bias of -inf hides its key like a mask
                }

                // Softmax update: new running max and sum; the scores become weights e^(s - max).
                float correction = OnlineSoftmax.Update(blockScores, ref runningMax, ref runningSum);

                // Accumulate: acc = correction * acc + sum of weight * value row.
                ReadOnlySpan<float> maskedValues = (TMask.HasRuntimeMasks || TScore.MayHide) && masked
                    ? MemoryMarshal.CreateReadOnlySpan(ref rows.Values(blockStart, blockLength), blockLength * D)
                    : default;
                if (maskedValues.IsEmpty)
                {
                    rows.AccumulateBlock(accumulator, correction, blockScores, blockStart);
                }
                else if (!Reductions.AllFinite(maskedValues))
                {
                    // A masked key's value is NaN or infinite: skip zero weights rather than multiply them (0 * inf is NaN).
                    OnlineSoftmax.AccumulateNonZero(accumulator, MemoryMarshal.CreateReadOnlySpan(ref correction, 1), blockScores, blockLength, maskedValues, 1, D);
                }
                else
                {
                    // The value rows already read as float (in place, or widened once for the check): the path's micro-kernel.
                    TPath.AccumulateBlock(accumulator, correction, blockScores, ref MemoryMarshal.GetReference(maskedValues));
                }

                blockStart += blockLength;
            }
        }

        /// <summary>
        /// Folds the global keys in [from, to) into one row's softmax state, up to KeyBlock keys at a time. They are not
        /// contiguous, so each is scored and accumulated by the path's block micro-kernels one row at a time (the
        /// correction applied with the first): few keys, no copy.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void AccumulateGlobalKeys<TRows>(int from, int to, ref float queryVector, ref TRows rows, int queryRow, int position,
            scoped Span<float> scores, scoped Span<int> keyIndices, scoped Span<float> accumulator, ref float runningMax, ref float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask,
            in ScoreState score)
            where TRows : IKeyValueRows, allows ref struct
        {
            ReadOnlySpan<int> globals = TMask.GlobalPositions;
            int next = globals.BinarySearch(from);
            if (next < 0)
            {
                next = ~next; // the first global position >= from
            }

            while (next < globals.Length && globals[next] < to)
            {
                int blockLength = 0;
                for (; blockLength < KeyBlock && next < globals.Length && globals[next] < to; next++)
                {
                    if (!TMask.HasRuntimeMasks || RuntimeMaskBits.Keeps(keyMask, rowMask, globals[next]))
                    {
                        keyIndices[blockLength++] = globals[next]; // dropped or hidden global keys are never read
                    }
                }

                Span<float> blockScores = scores.Slice(0, blockLength);
                int scored = 0;
                for (int t = 0; t < blockLength; t++)
                {
                    rows.ScoreBlock(ref queryVector, keyIndices[t], blockScores.Slice(scored, 1));
                    if (!TScore.IsIdentity)
                    {
                        TScore.Apply(blockScores.Slice(scored, 1), queryRow, position, keyIndices[t], score);
                    }

                    if (!TScore.MayHide || !float.IsNegativeInfinity(blockScores[scored]))
                    {
                        keyIndices[scored++] = keyIndices[t]; // a key its bias hides (-inf) is dropped here, its value never read
                    }
                }

                blockLength = scored;
                blockScores = blockScores.Slice(0, scored);

                float correction = OnlineSoftmax.Update(blockScores, ref runningMax, ref runningSum);
                for (int t = 0; t < blockLength; t++)
                {
                    rows.AccumulateBlock(accumulator, t == 0 ? correction : 1f, blockScores.Slice(t, 1), keyIndices[t]);
                }
            }
        }
    }
}
