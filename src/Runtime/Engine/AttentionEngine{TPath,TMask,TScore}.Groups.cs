using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    // Batched calls: one key/value head and the query heads that read it (HeadGroup), any element types, any row strides.
    public static partial class AttentionEngine<TPath, TMask, TScore>
    {
        /// <summary>
        /// Floats of keys (and as many of values) in one chunk the heads of a decode group share: 64 KiB each, so a chunk
        /// of keys and values (128 KiB) stays in any L2 (512 KiB and up on the x64 servers this targets) while every head
        /// of the group passes over it.
        /// </summary>
        private const int GroupChunkFloats = 16384;

        /// <summary>Keys per shared chunk: GroupChunkFloats / d, a whole number of KeyBlocks (at least one).</summary>
        private static int GroupChunkKeys
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Math.Max(KeyBlock, GroupChunkFloats / D / KeyBlock * KeyBlock);
        }

        /// <summary>
        /// Computes one head group of a batched call (lengths already checked): every query head of
        /// <paramref name="group"/> against its one key/value head, reading every span in place through its strides.
        /// </summary>
        /// <remarks>
        /// <para>Decode (fewer than <see cref="MinWidenedRows"/> query rows): the heads are computed together, one chunk of
        /// <see cref="GroupChunkKeys"/> keys at a time, each head's online-softmax state carried across chunks; so the
        /// cache is read from memory once per key/value head, not once per query head (grouped-query attention). Float
        /// rows d apart are read in place by the path's micro-kernels; 16-bit or strided ([B, N, H, d]) rows are widened
        /// (copied) once per chunk into L2-resident scratch when several heads share them, and read in place, widened in
        /// registers, by a lone head.</para>
        /// <para>Prefill: each head runs the full engine (tiles, threads) on float rows: in place when the spans are float
        /// with rows d apart, otherwise the key/value head is widened (gathered) once for the group and each head's query
        /// rows once, O((Nq + Nk) d) against the call's O(Nq Nk d). A lone float head of contiguous rows takes this route
        /// at any row count, so a long decode row is still split over the threads.</para>
        /// </remarks>
        public static void ComputeGroup<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            if (group.QueryCount == 0 || group.Heads == 0)
            {
                return;
            }

            bool floatRows = typeof(TKeyValue) == typeof(float) && group.KeyRowStride == D;
            if (group.QueryCount < MinWidenedRows && (group.Heads > 1 || !floatRows))
            {
                DecodeGroup(group, floatRows);
            }
            else
            {
                ComputeHeads(group, floatRows);
            }
        }

        /// <summary>Each head through the full engine on float rows (see the remarks of <see cref="ComputeGroup"/>).</summary>
        private static void ComputeHeads<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, bool floatRows)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int queryCount = group.QueryCount, keyCount = group.KeyCount, rowStride = group.QueryRowStride;
            bool floatQuery = typeof(TQuery) == typeof(float) && rowStride == D;
            bool floatOutput = typeof(TOutput) == typeof(float) && rowStride == D;
            float[]? keyBuffer = null, valueBuffer = null, queryBuffer = null, outputBuffer = null;
            try
            {
                ReadOnlySpan<float> keys, values;
                if (floatRows)
                {
                    keys = MemoryMarshal.Cast<TKeyValue, float>(group.Key).Slice(0, keyCount * D);
                    values = MemoryMarshal.Cast<TKeyValue, float>(group.Value).Slice(0, keyCount * D);
                }
                else
                {
                    keyBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, keyCount * D));
                    valueBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, keyCount * D));
                    Storage.WidenRows(group.Key, 0, group.KeyRowStride, keyCount, D, keyBuffer);
                    Storage.WidenRows(group.Value, 0, group.KeyRowStride, keyCount, D, valueBuffer);
                    keys = keyBuffer.AsSpan(0, keyCount * D);
                    values = valueBuffer.AsSpan(0, keyCount * D);
                }

                queryBuffer = floatQuery ? null : ArrayPool<float>.Shared.Rent(queryCount * D);
                outputBuffer = floatOutput ? null : ArrayPool<float>.Shared.Rent(queryCount * D);
                for (int head = 0; head < group.Heads; head++)
                {
                    int offset = head * group.QueryHeadStride;
                    ReadOnlySpan<float> query;
                    if (queryBuffer is null)
                    {
                        query = MemoryMarshal.Cast<TQuery, float>(group.Query).Slice(offset, queryCount * D);
                    }
                    else
                    {
                        Storage.WidenRows(group.Query, offset, rowStride, queryCount, D, queryBuffer);
                        query = queryBuffer.AsSpan(0, queryCount * D);
                    }

                    Span<float> output = outputBuffer is null ? MemoryMarshal.Cast<TOutput, float>(group.Output).Slice(offset, queryCount * D) : outputBuffer.AsSpan(0, queryCount * D);
                    Span<float> logSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(head * group.LogSumExpHeadStride, queryCount);
                    Compute(query, keys, values, output, logSumExp, group.Masks, in group.Scores[head]);
                    if (outputBuffer is not null)
                    {
                        Storage.NarrowRows<TOutput>(output, group.Output, offset, rowStride, queryCount, D);
                    }
                }
            }
            finally
            {
                Return(outputBuffer);
                Return(queryBuffer);
                Return(valueBuffer);
                Return(keyBuffer);
            }
        }

        /// <summary>
        /// A decode step of several heads (or of 16-bit or strided rows): query row by query row, every head of the group
        /// over the row's keys one shared chunk at a time (see the remarks of <see cref="ComputeGroup"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DecodeGroup<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, bool floatRows)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int heads = group.Heads, queryCount = group.QueryCount, keyCount = group.KeyCount, stride = group.KeyRowStride;
            int chunkKeys = GroupChunkKeys;
            bool shareChunks = heads > 1 && !floatRows;
            int queryFloats = heads * queryCount * D;
            int stateFloats = heads * (D + 2);
            int scratchFloats = 2 * (shareChunks ? chunkKeys : KeyBlock) * D;
            float[] buffer = ArrayPool<float>.Shared.Rent(queryFloats + stateFloats + D + scratchFloats);
            try
            {
                // The group's query rows, head by head, as float: [heads, Nq, d].
                Span<float> queries = buffer.AsSpan(0, queryFloats);
                for (int head = 0; head < heads; head++)
                {
                    Storage.WidenRows(group.Query, head * group.QueryHeadStride, group.QueryRowStride, queryCount, D, queries.Slice(head * queryCount * D, queryCount * D));
                }

                Span<float> accumulators = buffer.AsSpan(queryFloats, heads * D);
                Span<float> maxima = buffer.AsSpan(queryFloats + heads * D, heads);
                Span<float> sums = buffer.AsSpan(queryFloats + heads * (D + 1), heads);
                Span<float> finished = buffer.AsSpan(queryFloats + stateFloats, D);
                Span<float> scratch = buffer.AsSpan(queryFloats + stateFloats + D, scratchFloats);
                Span<float> scores = stackalloc float[KeyBlock];
                Span<int> keyIndices = stackalloc int[HasGlobals ? KeyBlock : 0];
                ReadOnlySpan<bool> keyMask = TMask.HasRuntimeMasks ? group.Masks.KeyMask : default;
                ReadOnlySpan<bool> mask = TMask.HasRuntimeMasks ? group.Masks.Mask : default;
                ReadOnlySpan<ScoreState> states = group.Scores;
                for (int row = 0; row < queryCount; row++)
                {
                    maxima.Fill(float.NegativeInfinity);
                    sums.Clear();
                    accumulators.Clear();
                    if (keyCount > 0)
                    {
                        RowRange(row, queryCount, keyCount, default, out int rangeStart, out int rangeEnd, out int visibleEnd, out bool globalRow);
                        int position = Position(row, queryCount, keyCount, default);
                        ReadOnlySpan<bool> rowMask = TMask.HasRuntimeMasks && !mask.IsEmpty ? mask.Slice(row * group.Masks.MaskStride, keyCount) : default;
                        if (TMask.HasRuntimeMasks && !rowMask.IsEmpty)
                        {
                            TightenToMask(rowMask, ref rangeStart, ref rangeEnd);
                        }

                        var cursor = new GroupCursor(queries, queryCount, row, position, accumulators, maxima, sums, keyMask, rowMask);
                        if (shareChunks)
                        {
                            // Several heads read 16-bit or strided rows: each chunk is widened once into scratch, read by all.
                            Span<float> keyChunk = scratch.Slice(0, chunkKeys * D), valueChunk = scratch.Slice(chunkKeys * D, chunkKeys * D);
                            for (int chunk = rangeStart; chunk < rangeEnd; chunk += chunkKeys)
                            {
                                int count = Math.Min(chunkKeys, rangeEnd - chunk);
                                Storage.WidenRows(group.Key, chunk * stride, stride, count, D, keyChunk);
                                Storage.WidenRows(group.Value, chunk * stride, stride, count, D, valueChunk);
                                var rows = new FloatRows(keyChunk, valueChunk, chunk);
                                AccumulateGroup(ref rows, chunk, chunk + count, chunkKeys, scores, states, ref cursor);
                            }
                        }
                        else if (floatRows)
                        {
                            var rows = new FloatRows(MemoryMarshal.Cast<TKeyValue, float>(group.Key), MemoryMarshal.Cast<TKeyValue, float>(group.Value));
                            AccumulateGroup(ref rows, rangeStart, rangeEnd, chunkKeys, scores, states, ref cursor);
                        }
                        else
                        {
                            var rows = new StridedRows<TKeyValue>(group.Key, group.Value, stride, scratch.Slice(0, KeyBlock * D), scratch.Slice(KeyBlock * D, KeyBlock * D));
                            AccumulateGroup(ref rows, rangeStart, rangeEnd, chunkKeys, scores, states, ref cursor);
                        }

                        if (HasGlobals && !globalRow)
                        {
                            // Global keys outside the window (few): every head reads them in place.
                            var rows = new StridedRows<TKeyValue>(group.Key, group.Value, stride, scratch.Slice(0, KeyBlock * D), scratch.Slice(KeyBlock * D, KeyBlock * D));
                            for (int head = 0; head < heads; head++)
                            {
                                ref float queryVector = ref cursor.Query(head);
                                Span<float> accumulator = accumulators.Slice(head * D, D);
                                AccumulateGlobalKeys(0, rangeStart, ref queryVector, ref rows, row, position, scores, keyIndices, accumulator, ref maxima[head], ref sums[head],
                                    keyMask, rowMask, states[head]);
                                AccumulateGlobalKeys(rangeEnd, visibleEnd, ref queryVector, ref rows, row, position, scores, keyIndices, accumulator, ref maxima[head], ref sums[head],
                                    keyMask, rowMask, states[head]);
                            }
                        }
                    }

                    for (int head = 0; head < heads; head++)
                    {
                        Span<float> logSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(head * group.LogSumExpHeadStride, queryCount);
                        FinishRow(accumulators.Slice(head * D, D), maxima[head], sums[head], finished, logSumExp, row, states[head]);
                        Storage.NarrowRows(finished, group.Output, head * group.QueryHeadStride + row * group.QueryRowStride, D, 1, D);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// Keys [start, end) into every head's state, <paramref name="chunkKeys"/> at a time: all heads pass over one chunk
        /// (then in cache) before the next is read.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulateGroup<TRows>(ref TRows rows, int start, int end, int chunkKeys, scoped Span<float> scores, ReadOnlySpan<ScoreState> states,
            scoped ref GroupCursor cursor)
            where TRows : IKeyValueRows, allows ref struct
        {
            int heads = states.Length;
            for (int chunk = start; chunk < end; chunk += chunkKeys)
            {
                int chunkEnd = Math.Min(end, chunk + chunkKeys);
                for (int head = 0; head < heads; head++)
                {
                    AccumulateRange(ref cursor.Query(head), ref rows, chunk, chunkEnd, cursor.Row, cursor.Position, scores, cursor.Accumulators.Slice(head * D, D),
                        ref cursor.Maxima[head], ref cursor.Sums[head], cursor.KeyMask, cursor.RowMask, states[head]);
                }
            }
        }

        /// <summary>One query row of a decode group: where each head's query and softmax state are, and the row's masks.</summary>
        private readonly ref struct GroupCursor
        {
            private readonly Span<float> _queries;
            private readonly int _queryCount;

            public GroupCursor(Span<float> queries, int queryCount, int row, int position, Span<float> accumulators, Span<float> maxima, Span<float> sums,
                ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask)
            {
                _queries = queries;
                _queryCount = queryCount;
                Row = row;
                Position = position;
                Accumulators = accumulators;
                Maxima = maxima;
                Sums = sums;
                KeyMask = keyMask;
                RowMask = rowMask;
            }

            public int Row { get; }

            public int Position { get; }

            public Span<float> Accumulators { get; }

            public Span<float> Maxima { get; }

            public Span<float> Sums { get; }

            public ReadOnlySpan<bool> KeyMask { get; }

            public ReadOnlySpan<bool> RowMask { get; }

            /// <summary>Head <paramref name="head"/>'s query vector for this row.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public ref float Query(int head) => ref _queries[(head * _queryCount + Row) * D];
        }

        private static void Return(float[]? buffer)
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }
}
