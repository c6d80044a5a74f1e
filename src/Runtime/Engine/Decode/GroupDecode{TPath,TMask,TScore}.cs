using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>A decode step of several query heads sharing one key/value head, the heads walked together chunk by chunk.</summary>
    internal abstract class GroupDecode<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// A decode step of several heads (or of 16-bit or strided rows): query row by query row, every head of the group
        /// over the row's keys one shared chunk at a time (see the remarks of <see cref="AttentionEngine{TPath, TMask, TScore}.ComputeGroup"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void DecodeGroup<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, bool floatRows)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int heads = group.Heads, queryCount = group.QueryCount, keyCount = group.KeyCount, stride = group.KeyRowStride;
            int chunkKeys = TileChunkKeys;
            bool shareChunks = heads > 1 && !floatRows;
            int scratchFloats = 2 * (shareChunks ? chunkKeys : KeyBlock) * D;
            int total = EngineBounds.ScratchFloats((long)heads * queryCount * D + (long)heads * (D + 2) + D + scratchFloats); // each part fits if the sum does
            int queryFloats = heads * queryCount * D;
            int stateFloats = heads * (D + 2);
            float[] buffer = ArrayPool<float>.Shared.Rent(total);
            try
            {
                // The group's query rows, head by head, as float: [heads, Nq, d].
                Span<float> queries = buffer.AsSpan(0, queryFloats);
                for (int head = 0; head < heads; head++)
                {
                    ElementTypes.WidenRows(group.Query, head * group.QueryHeadStride, group.QueryRowStride, queryCount, D, queries.Slice(head * queryCount * D, queryCount * D));
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
                                ElementTypes.WidenRows(group.Key, chunk * stride, stride, count, D, keyChunk);
                                ElementTypes.WidenRows(group.Value, chunk * stride, stride, count, D, valueChunk);
                                var rows = new FloatRows<TPath>(keyChunk, valueChunk, chunk);
                                AccumulateGroup(ref rows, chunk, chunk + count, chunkKeys, scores, states, ref cursor);
                            }
                        }
                        else if (floatRows)
                        {
                            var rows = new FloatRows<TPath>(MemoryMarshal.Cast<TKeyValue, float>(group.Key), MemoryMarshal.Cast<TKeyValue, float>(group.Value));
                            AccumulateGroup(ref rows, rangeStart, rangeEnd, chunkKeys, scores, states, ref cursor);
                        }
                        else
                        {
                            var rows = new StridedRows<TPath, TKeyValue>(group.Key, group.Value, stride, scratch.Slice(0, KeyBlock * D), scratch.Slice(KeyBlock * D, KeyBlock * D));
                            AccumulateGroup(ref rows, rangeStart, rangeEnd, chunkKeys, scores, states, ref cursor);
                        }

                        if (HasGlobals && !globalRow)
                        {
                            // Global keys outside the window (few): every head reads them in place.
                            var rows = new StridedRows<TPath, TKeyValue>(group.Key, group.Value, stride, scratch.Slice(0, KeyBlock * D), scratch.Slice(KeyBlock * D, KeyBlock * D));
                            for (int head = 0; head < heads; head++)
                            {
                                ref float queryVector = ref cursor.Query(head);
                                Span<float> accumulator = accumulators.Slice(head * D, D);
                                RowLoop<TPath, TMask, TScore>.AccumulateGlobalKeys(0, rangeStart, ref queryVector, ref rows, row, position, scores, keyIndices, accumulator, ref maxima[head], ref sums[head],
                                    keyMask, rowMask, states[head]);
                                RowLoop<TPath, TMask, TScore>.AccumulateGlobalKeys(rangeEnd, visibleEnd, ref queryVector, ref rows, row, position, scores, keyIndices, accumulator, ref maxima[head], ref sums[head],
                                    keyMask, rowMask, states[head]);
                            }
                        }
                    }

                    FinishHeads(group, row, accumulators, maxima, sums, finished);
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
        internal static void AccumulateGroup<TRows>(ref TRows rows, int start, int end, int chunkKeys, scoped Span<float> scores, ReadOnlySpan<ScoreState> states,
            scoped ref GroupCursor cursor)
            where TRows : IKeyValueRows, allows ref struct
        {
            int heads = states.Length;
            for (int chunk = start; chunk < end; chunk += chunkKeys)
            {
                int chunkEnd = Math.Min(end, chunk + chunkKeys);
                for (int head = 0; head < heads; head++)
                {
                    RowLoop<TPath, TMask, TScore>.AccumulateRange(ref cursor.Query(head), ref rows, chunk, chunkEnd, cursor.Row, cursor.Position, scores, cursor.Accumulators.Slice(head * D, D),
                        ref cursor.Maxima[head], ref cursor.Sums[head], cursor.KeyMask, cursor.RowMask, states[head]);
                }
            }
        }

        /// <summary>One query row of a decode group: where each head's query and softmax state are, and the row's masks.</summary>
        internal readonly ref struct GroupCursor
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
    }
}
