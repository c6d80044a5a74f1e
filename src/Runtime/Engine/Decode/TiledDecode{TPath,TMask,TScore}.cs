using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>A decode step of GQA groups, the query heads stacked as the rows of tiles.</summary>
    internal abstract class TiledDecode<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// A decode step of GQA groups (an even number of query heads per key/value head), the heads stacked as the rows of
        /// tiles. Per block of KeyBlock keys, and per key/value head of the call within it (so interleaved [B, N, H, d] rows
        /// are walked in memory order): each key row is read once (in place, any element type and stride, widened in
        /// registers, split loads for bf16 and finite f16) and scored against 4 heads at a time, two keys per step (8
        /// independent sums, so the FMA latency is hidden); the block's value rows are then accumulated into 4 or 2 heads at a
        /// time: read in place by <see cref="DecodeKernels{TPath, TMask, TScore}.AccumulateTileInPlace"/> (float32, bf16 or finite f16, any stride) with AVX2,
        /// 4-row tiles, d a multiple of 16 and no masked key, else by the engine's tile micro-kernel when float with rows d apart,
        /// else widened once into a block of floats first. Every head's online-softmax state and score inputs are its own.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void TiledDecodeGroup<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyValueHeads, bool floatRows)
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
                        ElementTypes.WidenRows(group.Query, head * group.QueryHeadStride + row * group.QueryRowStride, D, 1, D, queries.Slice((row * slotCount + slot) * D, D));
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
                            if (TMask.HasRuntimeMasks && RuntimeMaskBits.AllDropped(keyMask, blockStart, count))
                            {
                                continue; // every key of the block is dropped for this call: never read
                            }

                            int nextCount = Math.Min(KeyBlock, rangeEnd - blockStart - count);
                            for (int keyHead = 0; keyHead < keyValueHeads; keyHead++)
                            {
                                // Scores of the group's heads for the block's keys: exactly [rangeStart, rangeEnd), so no range mask
                                // is needed. The first 4 heads' pass also prefetches the next block's rows (see ScoreRows4).
                                nint rowsStart = (nint)keyHead * keyHeadStride + (nint)blockStart * stride;
                                DecodeKernels<TPath, TMask, TScore>.NextBlockPrefetch next = DecodeKernels<TPath, TMask, TScore>.NextRegion(keyHead, keyValueHeads, keyHeadStride, stride, blockStart + count, nextCount, Unsafe.SizeOf<TKeyValue>(),
                                    out nint nextStart);
                                // f16 keys: the split loads test them as they read them (d a multiple of 16, so they read
                                // every column); other f16 keys are scanned first.
                                bool keysTestedInLoads = typeof(TKeyValue) == typeof(Half) && splitHeads[keyHead] && D % 16 == 0;
                                bool finiteHalves = keysTestedInLoads || ElementTypes.FiniteHalfRows(group.Key, (int)rowsStart, stride, count, D);
                                // float32 with a contiguous next region (rows of one line): the score steps prefetch its keys, the
                                // first value tile its values, a line per key step, so the reads spread over the whole block
                                // (issued all while scoring, they stalled the score steps on full miss buffers and left the memory
                                // idle during the tiles). The 16-bit steps are bound by their arithmetic, not memory, and measured
                                // no better this way (bench/RESULTS.md, "Figures moved here from code comments").
                                bool tileValuePrefetch = floatTiles && Sse.IsSupported && next.Rows > 0 && next.LinesPerRow == 1
                                    && next.RowStride * Unsafe.SizeOf<TKeyValue>() == 64;
                                bool valuesPrefetched = !tileValuePrefetch;
                                for (int slot = 0; slot < slots; slot += 4)
                                {
                                    ref float slotQueries = ref Unsafe.Add(ref rowQueries, (keyHead * slots + slot) * D);
                                    Span<float> slotScores = scores.Slice((keyHead * slots + slot) * KeyBlock);
                                    DecodeKernels<TPath, TMask, TScore>.NextBlockPrefetch prefetch = slot == 0 ? (tileValuePrefetch ? next.WithKeysOnly() : next) : default;
                                    if (splitHeads[keyHead] && (finiteHalves || typeof(TKeyValue) == typeof(BFloat16)))
                                    {
                                        ref float slotSplit = ref splitQueries[(keyHead * slots + slot) * D];
                                        if (finiteHalves)
                                        {
                                            if (!DecodeKernels<TPath, TMask, TScore>.ScoreRows4Split(ref slotSplit, ref slotQueries, ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, rowsStart)), stride,
                                                count, slotScores, ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, nextStart)),
                                                ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, nextStart)), prefetch))
                                            {
                                                // A key held an infinity or a NaN (the first slot finds it; it reads every key of the
                                                // block): this slot and the rest with the exact widening, as a scanned block would be.
                                                finiteHalves = false;
                                                DecodeKernels<TPath, TMask, TScore>.ScoreRows4(ref slotQueries, ref Unsafe.Add(ref keyStart, rowsStart), stride, count, slotScores,
                                                    ref Unsafe.Add(ref keyStart, nextStart), ref Unsafe.Add(ref valueStart, nextStart), default);
                                            }
                                        }
                                        else
                                        {
                                            DecodeKernels<TPath, TMask, TScore>.ScoreRows4Split(ref slotSplit, ref slotQueries, ref Unsafe.Add(ref keyStart, rowsStart), stride, count, slotScores,
                                                ref Unsafe.Add(ref keyStart, nextStart), ref Unsafe.Add(ref valueStart, nextStart), prefetch);
                                        }
                                    }
                                    else if (finiteHalves)
                                    {
                                        // f16 keys with no infinity or NaN, split loads off for this head (no AVX2, or a query
                                        // element too large for 2^112): the 4-operation widening.
                                        DecodeKernels<TPath, TMask, TScore>.ScoreRows4(ref slotQueries, ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, rowsStart)), stride, count, slotScores,
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref keyStart, nextStart)),
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, nextStart)), prefetch);
                                    }
                                    else
                                    {
                                        DecodeKernels<TPath, TMask, TScore>.ScoreRows4(ref slotQueries, ref Unsafe.Add(ref keyStart, rowsStart), stride, count, slotScores, ref Unsafe.Add(ref keyStart, nextStart),
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
                                        masked |= RuntimeMaskBits.Apply(headScores, keyMask, rowMask, blockStart);
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
                                // f16 values: the tile tests them in its loads and takes a strip that held an infinity or a NaN
                                // again with the exact widening (see AccumulateTileInPlace), so no scan first.
                                bool splitValues = splitRows && tilesInPlace && unmasked;
                                bool stridedFloatValues = floatTiles && unmasked;
                                ReadOnlySpan<float> values = default;
                                if (floatRows && !stridedFloatValues)
                                {
                                    values = MemoryMarshal.Cast<TKeyValue, float>(group.Value).Slice((int)rowsStart, count * D); // rows d apart: in place
                                }
                                else if (!splitValues && !stridedFloatValues)
                                {
                                    ElementTypes.WidenRows(group.Value, (int)rowsStart, stride, count, D, valueBlock);
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
                                        DecodeKernels<TPath, TMask, TScore>.AccumulateTileInPlace(tileAccumulators, tileCorrections, tileWeights, ref Unsafe.Add(ref valueStart, rowsStart), stride, count,
                                            ref Unsafe.Add(ref valueStart, nextStart), valueLines);
                                        valuesPrefetched = true;
                                    }
                                    else if (splitValues && DecodeKernels<TPath, TMask, TScore>.HalfTile512)
                                    {
                                        DecodeKernels<TPath, TMask, TScore>.AccumulateHalfTile512(tileAccumulators, tileCorrections, tileWeights,
                                            ref Unsafe.As<TKeyValue, FiniteHalf>(ref Unsafe.Add(ref valueStart, rowsStart)), stride, count);
                                        valuesPrefetched = true;
                                    }
                                    else if (splitValues)
                                    {
                                        DecodeKernels<TPath, TMask, TScore>.AccumulateTileInPlace(tileAccumulators, tileCorrections, tileWeights,
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
                                    Prefetch.Lines(ref Unsafe.Add(ref valueStart, nextStart), next.Rows);
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
                                var rows = new StridedRows<TPath, TKeyValue>(group.Key.Slice(keyHead * keyHeadStride), group.Value.Slice(keyHead * keyHeadStride), stride,
                                    scratch.Slice(0, KeyBlock * D), scratch.Slice(KeyBlock * D, KeyBlock * D));
                                ref float queryVector = ref Unsafe.Add(ref rowQueries, (keyHead * slots + head % perGroup) * D);
                                Span<float> accumulator = accumulators.Slice(head * D, D);
                                RowLoop<TPath, TMask, TScore>.AccumulateGlobalKeys(0, rangeStart, ref queryVector, ref rows, row, position, rowScores, keyIndices, accumulator, ref maxima[head], ref sums[head],
                                    keyMask, rowMask, states[head]);
                                RowLoop<TPath, TMask, TScore>.AccumulateGlobalKeys(rangeEnd, visibleEnd, ref queryVector, ref rows, row, position, rowScores, keyIndices, accumulator, ref maxima[head],
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
    }
}
