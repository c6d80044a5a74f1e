using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    // Batched calls: one key/value head and the query heads that read it (HeadGroup), any element types, any row strides.
    public static partial class AttentionEngine<TPath, TMask, TScore>
    {
        /// <summary>
        /// Computes one head group of a batched call (lengths already checked): every query head of
        /// <paramref name="group"/> against its one key/value head, reading every span in place through its strides.
        /// </summary>
        /// <remarks>
        /// <para>Decode (fewer than <see cref="MinWidenedRows"/> query rows): the heads are computed together, one chunk of
        /// <see cref="TileChunkKeys"/> keys at a time, each head's online-softmax state carried across chunks; so the
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
            EngineBounds.CheckGroup(D, group, TScore.MayHide);
            CheckGlobalPositions();
            int nonFinite = OnlineSoftmax.NonFiniteRows;
            ComputeGroupRows(group);
            if (OnlineSoftmax.NonFiniteRows != nonFinite)
            {
                OverflowRows<TPath, TMask, TScore>.Repair(group); // some row finished with a +inf or NaN state: recompute the NaN rows
            }
        }

        /// <summary>The loops of <see cref="ComputeGroup"/>: decode or prefill, by the group's row count.</summary>
        private static void ComputeGroupRows<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int keyValueHeads = Math.Max(1, group.KeyValueHeads);
            if (group.QueryCount == 0 || group.Heads < keyValueHeads)
            {
                return;
            }

            int perGroup = group.Heads / keyValueHeads;
            bool floatRows = typeof(TKeyValue) == typeof(float) && group.KeyRowStride == D;
            bool decode = group.QueryCount < MinWidenedRows;
            if (decode && Vector256.IsHardwareAccelerated && D >= 8 && perGroup % 2 == 0)
            {
                TiledDecodeGroup(group, keyValueHeads, floatRows);
                return;
            }

            for (int keyHead = 0; keyHead < keyValueHeads; keyHead++)
            {
                HeadGroup<TQuery, TKeyValue, TOutput> one = OneKeyValueHead(group, keyHead, perGroup);
                if (decode && (perGroup > 1 || !floatRows))
                {
                    DecodeGroup(one, floatRows);
                }
                else
                {
                    ComputeHeads(one, floatRows);
                }
            }
        }

        /// <summary>Key/value head <paramref name="keyHead"/> of <paramref name="group"/> and its query heads, as a call of its own.</summary>
        private static HeadGroup<TQuery, TKeyValue, TOutput> OneKeyValueHead<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyHead,
            int perGroup)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            if (group.KeyValueHeads <= 1)
            {
                return group;
            }

            int firstHead = keyHead * perGroup;
            return new HeadGroup<TQuery, TKeyValue, TOutput>
            {
                Query = group.Query.Slice(firstHead * group.QueryHeadStride),
                Output = group.Output.Slice(firstHead * group.QueryHeadStride),
                QueryRowStride = group.QueryRowStride,
                QueryHeadStride = group.QueryHeadStride,
                Key = group.KeyCount == 0 ? default : group.Key.Slice(keyHead * group.KeyHeadStride),
                Value = group.KeyCount == 0 ? default : group.Value.Slice(keyHead * group.KeyHeadStride),
                KeyRowStride = group.KeyRowStride,
                KeyValueHeads = 1,
                Heads = perGroup,
                QueryCount = group.QueryCount,
                KeyCount = group.KeyCount,
                LogSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(firstHead * group.LogSumExpHeadStride),
                LogSumExpHeadStride = group.LogSumExpHeadStride,
                Masks = group.Masks,
                Scores = group.Scores.Slice(firstHead, perGroup),
            };
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

                    FinishHeads(group, row, accumulators, maxima, sums, finished);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// A decode step of GQA groups (an even number of query heads per key/value head), the heads stacked as the rows of
        /// tiles. Per block of KeyBlock keys, and per key/value head of the call within it (so interleaved [B, N, H, d] rows
        /// are walked in memory order): each key row is read once (in place, any element type and stride, widened in
        /// registers, split loads for bf16 and finite f16) and scored against 4 heads at a time, two keys per step (8
        /// independent sums, so the FMA latency is hidden); the block's value rows are then accumulated into 4 or 2 heads at a
        /// time: read in place by <see cref="AccumulateTileInPlace"/> (float32, bf16 or finite f16, any stride) with AVX2,
        /// 4-row tiles, d a multiple of 16 and no masked key, else by the engine's tile micro-kernel when float with rows d apart,
        /// else widened once into a block of floats first. Every head's online-softmax state and score inputs are its own.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TiledDecodeGroup<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyValueHeads, bool floatRows)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int heads = group.Heads, queryCount = group.QueryCount, keyCount = group.KeyCount, stride = group.KeyRowStride, keyHeadStride = group.KeyHeadStride;
            int perGroup = heads / keyValueHeads;
            int tileRows = perGroup % 4 == 0 ? 4 : 2;
            int slots = (perGroup + 3) / 4 * 4; // the score kernel takes 4 rows; padding rows are zeros, their scores unused
            // Every scratch size summed in 64 bits first (slots round each key/value head's query heads up to 4, so the
            // sizes are not bounded by the query span): each part fits an int when the sum does.
            _ = EngineBounds.ScratchFloats((long)keyValueHeads * slots * (queryCount * D + D + KeyBlock) + (long)heads * (D + 3) + 4L * KeyBlock * D + D);
            int slotCount = keyValueHeads * slots;
            int queryFloats = queryCount * slotCount * D;
            int stateFloats = heads * (D + 3);
            int scoreFloats = slotCount * KeyBlock;
            // bf16 and f16 keys are scored with split loads (see SplitColumns) against a second copy of the query rows in
            // their column order; f16 only for blocks without infinity or NaN, and only for a (query row, key/value head)
            // whose query elements do not overflow times 2^112 (else that head's blocks take ScoreRows4). The choice
            // depends on nothing else, so a head's bits do not depend on which other heads share its call (threads).
            bool splitRows = Avx2.IsSupported && (typeof(TKeyValue) == typeof(BFloat16) || typeof(TKeyValue) == typeof(Half));
            // Unmasked blocks' values go through AccumulateTileInPlace: 4-row tiles, d a multiple of 16, AVX2 (float32 rows
            // of any stride, bf16 and finite f16 rows with split loads).
            bool tilesInPlace = Avx2.IsSupported && tileRows == 4 && D % 16 == 0;
            bool floatTiles = tilesInPlace && typeof(TKeyValue) == typeof(float);
            int splitFloats = splitRows ? slotCount * D : 0; // one query row's heads at a time
            int valueFloats = KeyBlock * D; // a block of value rows widened (or gathered) into contiguous floats
            int globalFloats = HasGlobals ? 2 * KeyBlock * D : 0; // StridedRows' scratch for the global keys outside the window
            float[] buffer = ArrayPool<float>.Shared.Rent(queryFloats + splitFloats + stateFloats + scoreFloats + valueFloats + globalFloats + D);
            const int StackHeads = 64;
            bool[]? rentedHeads = keyValueHeads > StackHeads ? ArrayPool<bool>.Shared.Rent(keyValueHeads) : null;
            Span<bool> splitHeads = rentedHeads is null ? stackalloc bool[StackHeads] : rentedHeads;
            try
            {
                // Query rows as float, [Nq, key/value heads, slots, d]: the heads of one query row and group are contiguous,
                // as a tile wants them.
                Span<float> queries = buffer.AsSpan(0, queryFloats);
                queries.Clear();
                for (int head = 0; head < heads; head++)
                {
                    int slot = head / perGroup * slots + head % perGroup;
                    for (int row = 0; row < queryCount; row++)
                    {
                        Storage.WidenRows(group.Query, head * group.QueryHeadStride + row * group.QueryRowStride, D, 1, D, queries.Slice((row * slotCount + slot) * D, D));
                    }
                }

                Span<float> splitQueries = buffer.AsSpan(queryFloats, splitFloats);
                int at = queryFloats + splitFloats;
                Span<float> accumulators = buffer.AsSpan(at, heads * D);
                Span<float> maxima = buffer.AsSpan(at += heads * D, heads);
                Span<float> sums = buffer.AsSpan(at += heads, heads);
                Span<float> corrections = buffer.AsSpan(at += heads, heads);
                Span<float> scores = buffer.AsSpan(at += heads, scoreFloats);
                Span<float> valueBlock = buffer.AsSpan(at += scoreFloats, valueFloats);
                Span<float> scratch = buffer.AsSpan(at += valueFloats, globalFloats);
                Span<float> finished = buffer.AsSpan(at + globalFloats, D);
                Span<int> keyIndices = stackalloc int[HasGlobals ? KeyBlock : 0];
                ReadOnlySpan<bool> keyMask = TMask.HasRuntimeMasks ? group.Masks.KeyMask : default;
                ReadOnlySpan<bool> mask = TMask.HasRuntimeMasks ? group.Masks.Mask : default;
                ReadOnlySpan<ScoreState> states = group.Scores;
                ref TKeyValue keyStart = ref MemoryMarshal.GetReference(group.Key);
                ref TKeyValue valueStart = ref MemoryMarshal.GetReference(group.Value);
                for (int row = 0; row < queryCount; row++)
                {
                    maxima.Fill(float.NegativeInfinity);
                    sums.Clear();
                    accumulators.Clear();
                    ref float rowQueries = ref queries[row * slotCount * D];
                    for (int keyHead = 0; keyHead < keyValueHeads; keyHead++)
                    {
                        bool split = splitRows;
                        for (int slot = 0; split && slot < slots; slot++)
                        {
                            int offset = (keyHead * slots + slot) * D;
                            split = typeof(TKeyValue) == typeof(BFloat16)
                                ? SplitColumns.DeinterleaveRow<BFloat16>(ref Unsafe.Add(ref rowQueries, offset), ref splitQueries[offset], D)
                                : SplitColumns.DeinterleaveRow<FiniteHalf>(ref Unsafe.Add(ref rowQueries, offset), ref splitQueries[offset], D);
                        }

                        splitHeads[keyHead] = split;
                    }

                    if (keyCount > 0)
                    {
                        RowRange(row, queryCount, keyCount, default, out int rangeStart, out int rangeEnd, out int visibleEnd, out bool globalRow);
                        int position = Position(row, queryCount, keyCount, default);
                        ReadOnlySpan<bool> rowMask = TMask.HasRuntimeMasks && !mask.IsEmpty ? mask.Slice(row * group.Masks.MaskStride, keyCount) : default;
                        if (TMask.HasRuntimeMasks && !rowMask.IsEmpty)
                        {
                            TightenToMask(rowMask, ref rangeStart, ref rangeEnd);
                        }

                        for (int blockStart = rangeStart; blockStart < rangeEnd; blockStart += KeyBlock)
                        {
                            int count = Math.Min(KeyBlock, rangeEnd - blockStart);
                            if (TMask.HasRuntimeMasks && DynamicMask.AllDropped(keyMask, blockStart, count))
                            {
                                continue; // every key of the block is dropped for this call: never read
                            }

                            int nextCount = Math.Min(KeyBlock, rangeEnd - blockStart - count);
                            for (int keyHead = 0; keyHead < keyValueHeads; keyHead++)
                            {
                                // Scores of the group's heads for the block's keys: exactly [rangeStart, rangeEnd), so no range mask
                                // is needed. The first 4 heads' pass also prefetches the next block's rows (see ScoreRows4).
                                nint rowsStart = (nint)keyHead * keyHeadStride + (nint)blockStart * stride;
                                NextBlockPrefetch next = NextRegion(keyHead, keyValueHeads, keyHeadStride, stride, blockStart + count, nextCount, Unsafe.SizeOf<TKeyValue>(),
                                    out nint nextStart);
                                bool finiteHalves = Storage.FiniteHalfRows(group.Key, (int)rowsStart, stride, count, D);
                                // float32 with a contiguous next region (rows of one line): the score steps prefetch its keys, the
                                // first value tile its values, a line per key step, so the reads spread over the whole block
                                // (issued all while scoring, they stalled the score steps on full miss buffers and left the memory
                                // idle during the tiles: 57-67% of the read bandwidth, now 68-80%, AMD EPYC family 23). The 16-bit
                                // steps are bound by their arithmetic, not memory, and measured no better (bf16 B = 8 5% worse).
                                bool tileValuePrefetch = floatTiles && Sse.IsSupported && next.Rows > 0 && next.LinesPerRow == 1
                                    && next.RowStride * Unsafe.SizeOf<TKeyValue>() == 64;
                                bool valuesPrefetched = !tileValuePrefetch;
                                for (int slot = 0; slot < slots; slot += 4)
                                {
                                    ref float slotQueries = ref Unsafe.Add(ref rowQueries, (keyHead * slots + slot) * D);
                                    Span<float> slotScores = scores.Slice((keyHead * slots + slot) * KeyBlock);
                                    NextBlockPrefetch prefetch = slot == 0 ? (tileValuePrefetch ? next.WithKeysOnly() : next) : default;
                                    if (splitHeads[keyHead] && (finiteHalves || typeof(TKeyValue) == typeof(BFloat16)))
                                    {
                                        ref float slotSplit = ref splitQueries[(keyHead * slots + slot) * D];
                                        if (finiteHalves)
                                        {
                                            ScoreRows4Split(ref slotSplit, ref slotQueries, ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, rowsStart)), stride, count,
                                                slotScores, ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, nextStart)),
                                                ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, nextStart)), prefetch);
                                        }
                                        else
                                        {
                                            ScoreRows4Split(ref slotSplit, ref slotQueries, ref Unsafe.Add(ref keyStart, rowsStart), stride, count, slotScores,
                                                ref Unsafe.Add(ref keyStart, nextStart), ref Unsafe.Add(ref valueStart, nextStart), prefetch);
                                        }
                                    }
                                    else if (finiteHalves)
                                    {
                                        // f16 keys with no infinity or NaN, split loads off for this head (no AVX2, or a query
                                        // element too large for 2^112): the 4-operation widening.
                                        ScoreRows4(ref slotQueries, ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, rowsStart)), stride, count, slotScores,
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, nextStart)),
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, nextStart)), prefetch);
                                    }
                                    else
                                    {
                                        ScoreRows4(ref slotQueries, ref Unsafe.Add(ref keyStart, rowsStart), stride, count, slotScores, ref Unsafe.Add(ref keyStart, nextStart),
                                            ref Unsafe.Add(ref valueStart, nextStart), prefetch);
                                    }
                                }

                                bool masked = false;
                                int firstHead = keyHead * perGroup;
                                for (int member = 0; member < perGroup; member++)
                                {
                                    int head = firstHead + member;
                                    Span<float> headScores = scores.Slice((keyHead * slots + member) * KeyBlock, count);
                                    if (!TScore.IsIdentity)
                                    {
                                        TScore.Apply(headScores, row, position, blockStart, states[head]);
                                    }

                                    if (TMask.HasRuntimeMasks)
                                    {
                                        masked |= DynamicMask.Apply(headScores, keyMask, rowMask, blockStart);
                                    }

                                    if (TScore.MayHide && !masked)
                                    {
                                        masked = headScores.Contains(float.NegativeInfinity); // a bias of -inf hides its key like a mask
                                    }

                                    corrections[head] = OnlineSoftmax.Update(headScores, ref maxima[head], ref sums[head]);
                                }

                                // Blocks with no masked key: float32, bf16 and finite f16 value rows read in place by 4-row tiles
                                // (AccumulateTileInPlace). Otherwise float32 rows d apart in place, other rows widened into a block
                                // of contiguous floats first; then P V for the group's heads, a tile at a time.
                                bool unmasked = !((TMask.HasRuntimeMasks || TScore.MayHide) && masked);
                                bool splitValues = splitRows && tilesInPlace && unmasked
                                    && (typeof(TKeyValue) == typeof(BFloat16) || Storage.FiniteHalfRows(group.Value, (int)rowsStart, stride, count, D));
                                bool stridedFloatValues = floatTiles && unmasked;
                                ReadOnlySpan<float> values = default;
                                if (floatRows && !stridedFloatValues)
                                {
                                    values = MemoryMarshal.Cast<TKeyValue, float>(group.Value).Slice((int)rowsStart, count * D); // rows d apart: in place
                                }
                                else if (!splitValues && !stridedFloatValues)
                                {
                                    Storage.WidenRows(group.Value, (int)rowsStart, stride, count, D, valueBlock);
                                    values = valueBlock.Slice(0, count * D);
                                }

                                bool careful = (TMask.HasRuntimeMasks || TScore.MayHide) && masked && !Reductions.AllFinite(values);
                                for (int member = 0; member < perGroup; member += tileRows)
                                {
                                    Span<float> tileAccumulators = accumulators.Slice((firstHead + member) * D, tileRows * D);
                                    ReadOnlySpan<float> tileCorrections = corrections.Slice(firstHead + member, tileRows);
                                    Span<float> tileWeights = scores.Slice((keyHead * slots + member) * KeyBlock);
                                    int valueLines = valuesPrefetched ? 0 : next.Rows;
                                    if ((splitValues && typeof(TKeyValue) == typeof(BFloat16)) || stridedFloatValues)
                                    {
                                        AccumulateTileInPlace(tileAccumulators, tileCorrections, tileWeights, ref Unsafe.Add(ref valueStart, rowsStart), stride, count,
                                            ref Unsafe.Add(ref valueStart, nextStart), valueLines);
                                        valuesPrefetched = true;
                                    }
                                    else if (splitValues)
                                    {
                                        AccumulateTileInPlace(tileAccumulators, tileCorrections, tileWeights,
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, rowsStart)), stride, count,
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, nextStart)), valueLines);
                                        valuesPrefetched = true;
                                    }
                                    else if (careful)
                                    {
                                        // A masked key's value is NaN or infinite: skip zero weights rather than multiply them.
                                        OnlineSoftmax.AccumulateNonZero(tileAccumulators, tileCorrections, tileWeights, KeyBlock, values, tileRows, D);
                                    }
                                    else if (tileRows == 4)
                                    {
                                        Vector256Tile<TPath>.AccumulateTile(tileAccumulators, tileCorrections, tileWeights, ref MemoryMarshal.GetReference(values), count);
                                    }
                                    else
                                    {
                                        Vector128Tile<TPath>.AccumulateTile(tileAccumulators, tileCorrections, tileWeights, ref MemoryMarshal.GetReference(values), count);
                                    }
                                }

                                if (!valuesPrefetched)
                                {
                                    // No in-place tile took this block (a masked key): its share of the next values (contiguous lines,
                                    // see tileValuePrefetch) all at once.
                                    PrefetchLines(ref Unsafe.Add(ref valueStart, nextStart), next.Rows);
                                }
                            }
                        }

                        if (HasGlobals && !globalRow)
                        {
                            // Global keys outside the window (few): every head reads them in place.
                            Span<float> rowScores = scores.Slice(0, KeyBlock);
                            for (int head = 0; head < heads; head++)
                            {
                                int keyHead = head / perGroup;
                                var rows = new StridedRows<TKeyValue>(group.Key.Slice(keyHead * keyHeadStride), group.Value.Slice(keyHead * keyHeadStride), stride,
                                    scratch.Slice(0, KeyBlock * D), scratch.Slice(KeyBlock * D, KeyBlock * D));
                                ref float queryVector = ref Unsafe.Add(ref rowQueries, (keyHead * slots + head % perGroup) * D);
                                Span<float> accumulator = accumulators.Slice(head * D, D);
                                AccumulateGlobalKeys(0, rangeStart, ref queryVector, ref rows, row, position, rowScores, keyIndices, accumulator, ref maxima[head], ref sums[head],
                                    keyMask, rowMask, states[head]);
                                AccumulateGlobalKeys(rangeEnd, visibleEnd, ref queryVector, ref rows, row, position, rowScores, keyIndices, accumulator, ref maxima[head],
                                    ref sums[head], keyMask, rowMask, states[head]);
                            }
                        }
                    }

                    FinishHeads(group, row, accumulators, maxima, sums, finished);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
                if (rentedHeads is not null)
                {
                    ArrayPool<bool>.Shared.Return(rentedHeads);
                }
            }
        }

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
        private static unsafe void ScoreRows4<TElement>(ref float queries, ref TElement keys, int stride, int count, Span<float> scores, ref TElement nextKeys,
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

                Vector128<float> first = Sum4(s00, s10, s20, s30), second = Sum4(s01, s11, s21, s31);
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

                Vector128<float> sums = Sum4(s0, s1, s2, s3);
                for (int r = 0; r < 4; r++)
                {
                    Unsafe.Add(ref scoreStart, r * KeyBlock + t) = (sums.GetElement(r) + TailDot(ref Unsafe.Add(ref queries, r * D), ref k0, mainColumns)) * scale;
                }
            }
        }

        /// <summary>
        /// <see cref="ScoreRows4{TElement}"/> for bf16 and finite f16 keys with split loads (<see cref="SplitColumns"/>):
        /// each whole 16 columns of a key is one load, against the 4 query rows in that column order
        /// (<paramref name="splitQueries"/>, times 2^112 for f16); the columns past them (d mod 16) against
        /// <paramref name="queries"/> as ScoreRows4 reads them. Two keys per step, 8 sums, the same prefetches.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void ScoreRows4Split<TElement>(ref float splitQueries, ref float queries, ref TElement keys, int stride, int count, Span<float> scores,
            ref TElement nextKeys, ref TElement nextValues, NextBlockPrefetch prefetch)
            where TElement : unmanaged
        {
            int splitEnd = D / 16 * 16;
            bool eightMore = D - splitEnd >= 8;
            float scale = TPath.ScoreScale;
            ref float q0 = ref splitQueries; // rows 1..3 at constant displacements, as in ScoreRows4
            ref float scoreStart = ref MemoryMarshal.GetReference(scores);
            int tailFrom = D / 8 * 8;
            int rowsPerStep = prefetch.RowsPerStep(count);
            for (int t = 0; t < count; t += 2)
            {
                bool pair = t + 1 < count;
                ref TElement k0 = ref Unsafe.Add(ref keys, (nint)t * stride);
                ref TElement k1 = ref pair ? ref Unsafe.Add(ref k0, stride) : ref k0; // a lone last key is scored twice, stored once
                if (Sse.IsSupported && prefetch.Rows > 0)
                {
                    int firstRow = t / 2 * rowsPerStep;
                    PrefetchRows(ref nextKeys, ref nextValues, prefetch, firstRow, Math.Min(prefetch.Rows, firstRow + rowsPerStep));
                }

                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
                for (int c = 0; c < splitEnd; c += 16)
                {
                    SplitColumns.LoadByShifts(ref Unsafe.Add(ref k0, c), out Vector256<float> e0, out Vector256<float> o0);
                    SplitColumns.LoadByShifts(ref Unsafe.Add(ref k1, c), out Vector256<float> e1, out Vector256<float> o1);
                    Vector256<float> q = Vector256.LoadUnsafe(ref q0, (nuint)c);
                    s00 = Vector256.FusedMultiplyAdd(q, e0, s00);
                    s01 = Vector256.FusedMultiplyAdd(q, e1, s01);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D));
                    s10 = Vector256.FusedMultiplyAdd(q, e0, s10);
                    s11 = Vector256.FusedMultiplyAdd(q, e1, s11);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D));
                    s20 = Vector256.FusedMultiplyAdd(q, e0, s20);
                    s21 = Vector256.FusedMultiplyAdd(q, e1, s21);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D));
                    s30 = Vector256.FusedMultiplyAdd(q, e0, s30);
                    s31 = Vector256.FusedMultiplyAdd(q, e1, s31);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + 8);
                    s00 = Vector256.FusedMultiplyAdd(q, o0, s00);
                    s01 = Vector256.FusedMultiplyAdd(q, o1, s01);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(D + 8));
                    s10 = Vector256.FusedMultiplyAdd(q, o0, s10);
                    s11 = Vector256.FusedMultiplyAdd(q, o1, s11);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(2 * D + 8));
                    s20 = Vector256.FusedMultiplyAdd(q, o0, s20);
                    s21 = Vector256.FusedMultiplyAdd(q, o1, s21);
                    q = Vector256.LoadUnsafe(ref q0, (nuint)c + (nuint)(3 * D + 8));
                    s30 = Vector256.FusedMultiplyAdd(q, o0, s30);
                    s31 = Vector256.FusedMultiplyAdd(q, o1, s31);
                }

                if (eightMore)
                {
                    // 8 more columns in order, widened exactly, against the query rows as they are.
                    Vector256<float> x0 = Widening.LoadWidened256(ref Unsafe.Add(ref k0, splitEnd));
                    Vector256<float> x1 = Widening.LoadWidened256(ref Unsafe.Add(ref k1, splitEnd));
                    Vector256<float> q = Vector256.LoadUnsafe(ref queries, (nuint)splitEnd);
                    s00 = Vector256.FusedMultiplyAdd(q, x0, s00);
                    s01 = Vector256.FusedMultiplyAdd(q, x1, s01);
                    q = Vector256.LoadUnsafe(ref queries, (nuint)(D + splitEnd));
                    s10 = Vector256.FusedMultiplyAdd(q, x0, s10);
                    s11 = Vector256.FusedMultiplyAdd(q, x1, s11);
                    q = Vector256.LoadUnsafe(ref queries, (nuint)(2 * D + splitEnd));
                    s20 = Vector256.FusedMultiplyAdd(q, x0, s20);
                    s21 = Vector256.FusedMultiplyAdd(q, x1, s21);
                    q = Vector256.LoadUnsafe(ref queries, (nuint)(3 * D + splitEnd));
                    s30 = Vector256.FusedMultiplyAdd(q, x0, s30);
                    s31 = Vector256.FusedMultiplyAdd(q, x1, s31);
                }

                Vector128<float> first = Sum4(s00, s10, s20, s30), second = Sum4(s01, s11, s21, s31);
                if (TransposedScores)
                {
                    (first * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * t)); // key-major in the slot's own rows (see ToRowMajor)
                    (second * scale).StoreUnsafe(ref scoreStart, (nuint)(4 * t + 4)); // a lone last key's copy lands past 4 x count: unused
                    continue;
                }

                for (int r = 0; r < 4; r++)
                {
                    ref float query = ref Unsafe.Add(ref queries, r * D);
                    Unsafe.Add(ref scoreStart, r * KeyBlock + t) = (first.GetElement(r) + TailDot(ref query, ref k0, tailFrom)) * scale;
                    if (pair)
                    {
                        Unsafe.Add(ref scoreStart, r * KeyBlock + t + 1) = (second.GetElement(r) + TailDot(ref query, ref k1, tailFrom)) * scale;
                    }
                }
            }

            if (TransposedScores)
            {
                ToRowMajor(ref scoreStart, count);
            }
        }

        /// <summary>
        /// <see cref="Vector256Tile{TPath}.AccumulateTile"/> for value rows <paramref name="stride"/> elements apart, read
        /// in place (d a multiple of 16, AVX2): float32 rows by two in-order loads per 16 columns, bf16 and finite f16 rows
        /// by split loads (<see cref="SplitColumns"/>; each 16 columns of the 4 rows' sums are deinterleaved in registers
        /// and interleaved back; for f16 the weights are first scaled by 2^112 in place: they are at most 1, and the caller
        /// is done with them). Every key's 16 values are loaded once for the 4 rows' 8 multiply-adds. Each element gets the
        /// same operations in the same order as <see cref="Vector256Tile{TPath}.AccumulateTile"/> on widened, contiguous
        /// rows: the same bits, with no copy of the block ([B, N, H, d] float32 blocks were copied into contiguous floats
        /// before; this replaced AccumulateTileSplit, the 16-bit form, and the float tile for [B, H, N, d]). Float32
        /// tiles also prefetch <paramref name="prefetchLines"/> lines from <paramref name="prefetchStart"/> (the next
        /// block's values), one per key step until done.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void AccumulateTileInPlace<TElement>(Span<float> accumulators, ReadOnlySpan<float> corrections, Span<float> weights, ref TElement valueRows,
            int stride, int keyCount, ref TElement prefetchStart, int prefetchLines)
            where TElement : unmanaged
        {
            // A raw address of an unpinned reference, held across the loop: only ever a prefetch hint (if the GC moved the
            // array meanwhile, a stale hint), never dereferenced.
            byte* prefetchAt = null, prefetchEnd = null;
            if (typeof(TElement) == typeof(float) && Sse.IsSupported && prefetchLines > 0)
            {
                prefetchAt = (byte*)Unsafe.AsPointer(ref prefetchStart);
                prefetchEnd = prefetchAt + (nint)prefetchLines * 64;
            }

            bool split = typeof(TElement) != typeof(float); // bf16 or FiniteHalf (the callers pass no other type)
            if (typeof(TElement) == typeof(FiniteHalf))
            {
                for (int r = 0; r < 4; r++)
                {
                    SplitColumns.ScaleWeights(weights.Slice(r * KeyBlock, keyCount), weights.Slice(r * KeyBlock, keyCount));
                }
            }

            ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulators);
            ref float weightStart = ref MemoryMarshal.GetReference(weights);
            float correction0 = corrections[0], correction1 = corrections[1], correction2 = corrections[2], correction3 = corrections[3];
            for (int column = 0; column < D; column += 16)
            {
                ref float accumulator = ref Unsafe.Add(ref accumulatorStart, column);
                Vector256<float> even0 = Vector256.LoadUnsafe(ref accumulator) * correction0, odd0 = Vector256.LoadUnsafe(ref accumulator, 8) * correction0;
                Vector256<float> even1 = Vector256.LoadUnsafe(ref accumulator, (nuint)D) * correction1, odd1 = Vector256.LoadUnsafe(ref accumulator, (nuint)(D + 8)) * correction1;
                Vector256<float> even2 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D)) * correction2;
                Vector256<float> odd2 = Vector256.LoadUnsafe(ref accumulator, (nuint)(2 * D + 8)) * correction2;
                Vector256<float> even3 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D)) * correction3;
                Vector256<float> odd3 = Vector256.LoadUnsafe(ref accumulator, (nuint)(3 * D + 8)) * correction3;
                if (split)
                {
                    (even0, odd0) = SplitColumns.Deinterleave(even0, odd0);
                    (even1, odd1) = SplitColumns.Deinterleave(even1, odd1);
                    (even2, odd2) = SplitColumns.Deinterleave(even2, odd2);
                    (even3, odd3) = SplitColumns.Deinterleave(even3, odd3);
                }

                ref TElement valueRow = ref Unsafe.Add(ref valueRows, column);
                nint offset = 0; // stepped, not a bumped reference: that would end past the last row
                ref float weight = ref weightStart;
                for (int key = 0; key < keyCount; key++, offset += stride)
                {
                    if (typeof(TElement) == typeof(float) && Sse.IsSupported && prefetchAt < prefetchEnd)
                    {
                        Sse.Prefetch0(prefetchAt); // a line of the next block's values per key step (see the caller)
                        prefetchAt += 64;
                    }

                    // For float rows "even" and "odd" are the first 8 columns and the next 8, in order.
                    Vector256<float> even, odd;
                    if (split)
                    {
                        SplitColumns.Load(ref Unsafe.Add(ref valueRow, offset), out even, out odd);
                    }
                    else
                    {
                        ref float row = ref Unsafe.As<TElement, float>(ref Unsafe.Add(ref valueRow, offset));
                        even = Vector256.LoadUnsafe(ref row);
                        odd = Vector256.LoadUnsafe(ref row, 8);
                    }

                    Vector256<float> weight0 = Vector256.Create(weight);
                    even0 = Vector256.FusedMultiplyAdd(weight0, even, even0);
                    odd0 = Vector256.FusedMultiplyAdd(weight0, odd, odd0);
                    Vector256<float> weight1 = Vector256.Create(Unsafe.Add(ref weight, KeyBlock));
                    even1 = Vector256.FusedMultiplyAdd(weight1, even, even1);
                    odd1 = Vector256.FusedMultiplyAdd(weight1, odd, odd1);
                    Vector256<float> weight2 = Vector256.Create(Unsafe.Add(ref weight, 2 * KeyBlock));
                    even2 = Vector256.FusedMultiplyAdd(weight2, even, even2);
                    odd2 = Vector256.FusedMultiplyAdd(weight2, odd, odd2);
                    Vector256<float> weight3 = Vector256.Create(Unsafe.Add(ref weight, 3 * KeyBlock));
                    even3 = Vector256.FusedMultiplyAdd(weight3, even, even3);
                    odd3 = Vector256.FusedMultiplyAdd(weight3, odd, odd3);
                    weight = ref Unsafe.Add(ref weight, 1);
                }

                if (split)
                {
                    (even0, odd0) = SplitColumns.Interleave(even0, odd0);
                    (even1, odd1) = SplitColumns.Interleave(even1, odd1);
                    (even2, odd2) = SplitColumns.Interleave(even2, odd2);
                    (even3, odd3) = SplitColumns.Interleave(even3, odd3);
                }

                even0.StoreUnsafe(ref accumulator);
                odd0.StoreUnsafe(ref accumulator, 8);
                even1.StoreUnsafe(ref accumulator, (nuint)D);
                odd1.StoreUnsafe(ref accumulator, (nuint)(D + 8));
                even2.StoreUnsafe(ref accumulator, (nuint)(2 * D));
                odd2.StoreUnsafe(ref accumulator, (nuint)(2 * D + 8));
                even3.StoreUnsafe(ref accumulator, (nuint)(3 * D));
                odd3.StoreUnsafe(ref accumulator, (nuint)(3 * D + 8));
            }
        }

        /// <summary>
        /// What a grouped decode prefetches of the next block while one key/value head scores a block: <see cref="Rows"/>
        /// rows <see cref="RowStride"/> elements apart, <see cref="LinesPerRow"/> cache lines of each (default: nothing).
        /// </summary>
        private readonly struct NextBlockPrefetch
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
        private static NextBlockPrefetch NextRegion(int keyHead, int keyValueHeads, int keyHeadStride, int stride, int nextRow, int nextCount, int elementSize,
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
        private static unsafe void PrefetchRows<TElement>(ref TElement keys, ref TElement values, NextBlockPrefetch plan, int from, int to)
            where TElement : unmanaged
        {
            byte* keyStart = (byte*)Unsafe.AsPointer(ref keys), valueStart = (byte*)Unsafe.AsPointer(ref values);
            Debug.Assert(!plan.KeysOnly || (plan.LinesPerRow == 1 && plan.RowStride * sizeof(TElement) == 64), "keys-only plans are contiguous lines");
            if (plan.LinesPerRow == 1 && plan.RowStride * sizeof(TElement) == 64)
            {
                // A contiguous region, a "row" per line (rows of one line 64 bytes apart): the plain loop (the nested one below cost the B = 1 bf16 GQA step
                // 4-7%, AMD EPYC family 23).
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

            PrefetchRowLines(keyStart, valueStart, (nint)plan.RowStride * sizeof(TElement), plan.LinesPerRow, from, to);
        }

        /// <summary><paramref name="lines"/> consecutive cache lines from <paramref name="start"/> (a hint, never a fault).</summary>
        private static unsafe void PrefetchLines<TElement>(ref TElement start, int lines)
            where TElement : unmanaged
        {
            byte* at = (byte*)Unsafe.AsPointer(ref start);
            for (int line = 0; line < lines; line++)
            {
                Sse.Prefetch0(at + line * 64);
            }
        }

        /// <summary>The strided case of <see cref="PrefetchRows"/>: a call, to keep its registers out of the score loops.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static unsafe void PrefetchRowLines(byte* keyStart, byte* valueStart, nint rowBytes, int linesPerRow, int from, int to)
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

        /// <summary>Prefetches the cache lines of one row of d elements into every cache level (x86 only; a hint, never a fault).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PrefetchRow<TElement>(ref TElement row)
            where TElement : unmanaged => PrefetchColumns(ref row, 0, D);

        /// <summary>Prefetches the cache lines of columns [from, to) of a row, as <see cref="PrefetchRow{TElement}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void PrefetchColumns<TElement>(ref TElement row, int from, int to)
            where TElement : unmanaged
        {
            byte* start = (byte*)Unsafe.AsPointer(ref row);
            for (int offset = from * sizeof(TElement); offset < to * sizeof(TElement); offset += 64)
            {
                Sse.Prefetch0(start + offset);
            }
        }

        /// <summary>The columns past the last whole vector of 8 (none when d is a multiple of 8: a JIT-time constant).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float TailDot<TElement>(ref float query, ref TElement key, int from)
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
        /// Whether the 4-row score loops store each key's 4 scores as one vector, key-major, into the start of their own
        /// 4 x KeyBlock rows, and transpose the block into the rows at the end (d a multiple of 8, so no tail columns; SSE):
        /// per 2 keys two vector stores instead of 8 lane extractions through the stack and 8 scalar stores. Only in
        /// <see cref="ScoreRows4Split"/> (the 16-bit steps, bound by arithmetic): in the float32 <see cref="ScoreRows4"/> the
        /// JIT then spilled the query reference, a reload per column step (the llvm-mca comparison is in bench/RESULTS.md,
        /// "In-place float32 GQA tiles"), for no measurable gain in a memory-bound step.
        /// </summary>
        private static bool TransposedScores
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Sse.IsSupported && D % 8 == 0;
        }

        /// <summary>
        /// The first 4 x <paramref name="count"/> floats of <paramref name="scores"/>, key-major (4 t + r), into rows
        /// (r x KeyBlock + t): copied aside, then 4 x 4 transposes.
        /// </summary>
        private static void ToRowMajor(ref float scores, int count)
        {
            Span<float> copy = stackalloc float[4 * KeyBlock];
            MemoryMarshal.CreateReadOnlySpan(ref scores, 4 * count).CopyTo(copy);
            ref float keyMajor = ref MemoryMarshal.GetReference(copy);
            int t = 0;
            for (; t + 3 < count; t += 4)
            {
                Vector128<float> k0 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t)), k1 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t + 4));
                Vector128<float> k2 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t + 8)), k3 = Vector128.LoadUnsafe(ref keyMajor, (nuint)(4 * t + 12));
                Vector128<float> low01 = Sse.UnpackLow(k0, k1), low23 = Sse.UnpackLow(k2, k3); // rows 0 and 1 of keys t..t+3
                Vector128<float> high01 = Sse.UnpackHigh(k0, k1), high23 = Sse.UnpackHigh(k2, k3); // rows 2 and 3
                Sse.MoveLowToHigh(low01, low23).StoreUnsafe(ref scores, (nuint)t);
                Sse.MoveHighToLow(low23, low01).StoreUnsafe(ref scores, (nuint)(KeyBlock + t));
                Sse.MoveLowToHigh(high01, high23).StoreUnsafe(ref scores, (nuint)(2 * KeyBlock + t));
                Sse.MoveHighToLow(high23, high01).StoreUnsafe(ref scores, (nuint)(3 * KeyBlock + t));
            }

            for (; t < count; t++)
            {
                for (int r = 0; r < 4; r++)
                {
                    Unsafe.Add(ref scores, r * KeyBlock + t) = Unsafe.Add(ref keyMajor, 4 * t + r);
                }
            }
        }

        /// <summary>The lane sums of four vectors, [sum a, sum b, sum c, sum d] (three horizontal adds with AVX).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        {
            if (Avx.IsSupported)
            {
                Vector256<float> all = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
                return all.GetLower() + all.GetUpper();
            }

            return Vector128.Create(Vector256.Sum(a), Vector256.Sum(b), Vector256.Sum(c), Vector256.Sum(d));
        }

        /// <summary>Writes query row <paramref name="row"/> of every head of the group: its output (rounded once for a 16-bit output) and log-sum-exp.</summary>
        private static void FinishHeads<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int row, Span<float> accumulators,
            Span<float> maxima, Span<float> sums, Span<float> finished)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            for (int head = 0; head < group.Heads; head++)
            {
                Span<float> logSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(head * group.LogSumExpHeadStride, group.QueryCount);
                FinishRow(accumulators.Slice(head * D, D), maxima[head], sums[head], finished, logSumExp, row, group.Scores[head]);
                Storage.NarrowRows(finished, group.Output, head * group.QueryHeadStride + row * group.QueryRowStride, D, 1, D);
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
