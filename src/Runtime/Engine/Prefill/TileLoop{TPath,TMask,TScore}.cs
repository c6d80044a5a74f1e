using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>The prefill's tile walk: groups of TPath.RowTile query rows against packed 16-key blocks, cache-blocked by chunks of keys.</summary>
    internal abstract class TileLoop<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// Query rows whose tile groups share each chunk of keys (cache blocking): 64 rows' accumulators are 64 d floats
        /// (32 KiB at d = 128), and each chunk of K and V is read from memory once per 64 rows instead of once per group.
        /// </summary>
        internal const int BlockRows = 64;

        /// <summary>
        /// Rows [0, <paramref name="groupedRows"/>) through the tiles: the band of keys they can score packed once per call
        /// into 16-key blocks transposed to [d][16] (a score tile then needs no horizontal sums), then the row groups on the
        /// threads. False, having done nothing, when the band is too large to pack (over 256 MiB): the rows then take the
        /// one-row path, which needs no scratch.
        /// </summary>
        internal static bool RunPacked(scoped in RowRangeArguments arguments, ReadOnlySpan<int> keyPrefix, int groupedRows, long work)
        {
            PackedBand(arguments.QueryCount, arguments.KeyCount, groupedRows, keyPrefix, out int packStart, out int packEnd);
            long packedLength = KeyPacking.PackedLength(packEnd - packStart, D);
            if (packedLength > KeyPacking.MaxPackedLength)
            {
                return false;
            }

            // The buffer comes from the shared pool, so a steady stream of calls allocates nothing; each 16-key block starts
            // on a cache line (16 x 4 bytes per column), so no vector load of it splits one.
            float[] packed = AlignedScratch.Rent((int)packedLength);
            try
            {
                Span<float> packedView = AlignedScratch.View(packed, (int)packedLength);
                KeyPacking.PackTransposed(arguments.Key.Slice(packStart * D, (packEnd - packStart) * D), D, packedView);
                AttentionThreading.ForRowGroups<RowGroups>(arguments with { PackedKeys = packedView, PackedFirstKey = packStart }, 0, groupedRows, TPath.RowTile, work);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packed);
            }

            return true;
        }

        /// <summary>Row groups, as the thread scheduler calls them.</summary>
        internal readonly struct RowGroups : IRowRangeKernel
        {
            public static void Run(scoped in RowRangeArguments arguments, int rowStart, int rowEnd) =>
                RunRowGroups(arguments.Query, arguments.Key, arguments.Value, arguments.Output, arguments.LogSumExp, arguments.PackedKeys, arguments.PackedFirstKey,
                    arguments.QueryCount, arguments.KeyCount, rowStart, rowEnd, arguments.KeyMask, arguments.Mask, arguments.MaskStride, arguments.KeyPrefix, arguments.Score);
        }

        /// <summary>
        /// Rows [rowStart, rowEnd), whole groups of TPath.RowTile, through the tiled micro-kernel. Per group: each row's
        /// range; their union is walked in tiles of KeyBlock keys made of 16-key packed blocks. Each block gets one status
        /// from the compile-time ranges AND the run-time masks: skipped (no row sees a key of it: never scored, and never
        /// read when keyMask drops it), full (every row sees every key: no mask code), or partial (masked lanes become
        /// -inf with vector compares).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void RunRowGroups(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ReadOnlySpan<int> keyPrefix, in ScoreState score)
        {
            const int MaxRows = AttentionEngine.MaxRowTile;
            ref float packedStart = ref MemoryMarshal.GetReference(packedKeys);
            ref float queryStart = ref MemoryMarshal.GetReference(query);
            var keyValueRows = new FloatRows<TPath>(key, value);
            int rows = TPath.RowTile;
            int groupsPerBlock = Math.Max(1, BlockRows / Math.Max(1, rows));
            Span<float> scores = AlignedScratch.View(stackalloc float[MaxRows * KeyBlock + AlignedScratch.PaddingFloats], MaxRows * KeyBlock);
            Span<float> corrections = stackalloc float[MaxRows];
            Span<int> rowBits = stackalloc int[MaxRows * (KeyBlock / PackedBlockKeys)]; // per block of a tile, per row
            Span<int> blockGlobalLanes = stackalloc int[HasGlobals ? KeyBlock / PackedBlockKeys : 0]; // per block of a tile, from pass 1
            Span<float> rowScores = stackalloc float[HasGlobals ? KeyBlock : 0];
            Span<int> keyIndices = stackalloc int[HasGlobals ? KeyBlock : 0];

            // The state of every row of a block of groups (BlockRows rows), kept while the block walks the keys chunk by chunk.
            Span<float> blockMax = stackalloc float[BlockRows];
            Span<float> blockSum = stackalloc float[BlockRows];
            Span<int> blockRangeStarts = stackalloc int[BlockRows];
            Span<int> blockRangeEnds = stackalloc int[BlockRows];
            Span<int> blockVisibleEnds = stackalloc int[BlockRows];
            Span<int> groupBounds = stackalloc int[4 * BlockRows]; // per group: scan start and end, common start and end
            float[] accumulatorBuffer = AlignedScratch.Rent(BlockRows * D);
            Span<float> blockAccumulators = AlignedScratch.View(accumulatorBuffer, BlockRows * D);
            bool runtimeMasked = TMask.HasRuntimeMasks && (!keyMask.IsEmpty || !mask.IsEmpty); // false for a compacted call
            try
            {
                for (int blockRow = rowStart; blockRow < rowEnd; blockRow += groupsPerBlock * rows)
                {
                    int groups = Math.Min(groupsPerBlock, (rowEnd - blockRow) / rows);
                    int firstScan = keyCount, lastScan = 0;
                    for (int group = 0; group < groups; group++)
                    {
                        // Each row's range; the group walks their union and needs no mask where all of them agree.
                        int firstRow = blockRow + group * rows;
                        Span<int> rangeStarts = blockRangeStarts.Slice(group * rows, rows), rangeEnds = blockRangeEnds.Slice(group * rows, rows);
                        Span<int> visibleEnds = blockVisibleEnds.Slice(group * rows, rows);
                        int unionStart = keyCount, unionEnd = 0, commonStart = 0, commonEnd = keyCount;
                        for (int row = 0; row < rows; row++)
                        {
                            RowRange(firstRow + row, queryCount, keyCount, keyPrefix, out rangeStarts[row], out rangeEnds[row], out visibleEnds[row], out _);
                            if (TMask.HasRuntimeMasks && !mask.IsEmpty)
                            {
                                TightenToMask(mask.Slice((firstRow + row) * maskStride, keyCount), ref rangeStarts[row], ref rangeEnds[row]);
                            }

                            if (rangeStarts[row] < rangeEnds[row])
                            {
                                unionStart = Math.Min(unionStart, rangeStarts[row]);
                                unionEnd = Math.Max(unionEnd, rangeEnds[row]);
                            }

                            commonStart = Math.Max(commonStart, rangeStarts[row]);
                            commonEnd = Math.Min(commonEnd, rangeEnds[row]);
                            blockMax[group * rows + row] = float.NegativeInfinity;
                            blockSum[group * rows + row] = 0f;
                        }

                        // The scanned keys: the union widened to whole 16-key blocks, clipped to Nk.
                        int scanStart = unionStart < unionEnd ? unionStart / PackedBlockKeys * PackedBlockKeys : 0;
                        int scanEnd = unionStart < unionEnd ? (int)Math.Min(keyCount, ((long)unionEnd + PackedBlockKeys - 1) / PackedBlockKeys * PackedBlockKeys) : 0;
                        groupBounds[4 * group] = scanStart;
                        groupBounds[4 * group + 1] = scanEnd;
                        groupBounds[4 * group + 2] = commonStart;
                        groupBounds[4 * group + 3] = commonEnd;
                        if (scanStart < scanEnd)
                        {
                            firstScan = Math.Min(firstScan, scanStart);
                            lastScan = Math.Max(lastScan, scanEnd);
                        }
                    }

                    blockAccumulators.Slice(0, groups * rows * D).Clear();

                    // Cache blocking: the block's groups take turns on each chunk of keys (packed keys and values of about
                    // ChunkFloats each, so both stay in L2) before the next chunk is read; so K and V stream from memory once
                    // per block of rows, not once per group. Chunks lie on a fixed grid, so a row's tiles do not depend on
                    // which block (or thread) it falls in.
                    for (long chunk = firstScan / TileChunkKeys * (long)TileChunkKeys; chunk < lastScan; chunk += TileChunkKeys)
                    {
                        int chunkStart = (int)chunk, chunkEnd = (int)Math.Min(lastScan, chunk + TileChunkKeys);
                        for (int group = 0; group < groups; group++)
                        {
                            int walkStart = Math.Max(groupBounds[4 * group], chunkStart), walkEnd = Math.Min(groupBounds[4 * group + 1], chunkEnd);
                            if (walkStart >= walkEnd)
                            {
                                continue;
                            }

                            int firstRow = blockRow + group * rows;
                            int commonStart = groupBounds[4 * group + 2], commonEnd = groupBounds[4 * group + 3];
                            Span<int> rangeStarts = blockRangeStarts.Slice(group * rows, rows), rangeEnds = blockRangeEnds.Slice(group * rows, rows);
                            Span<int> visibleEnds = blockVisibleEnds.Slice(group * rows, rows);
                            Span<float> runningMax = blockMax.Slice(group * rows, rows), runningSum = blockSum.Slice(group * rows, rows);
                            Span<float> accumulators = blockAccumulators.Slice(group * rows * D, rows * D);
                            ref float queryRows = ref Unsafe.Add(ref queryStart, firstRow * D);
                            int firstPosition = Position(firstRow, queryCount, keyCount, keyPrefix);
                        for (int tileStart = walkStart, tileKeys; tileStart < walkEnd; tileStart += tileKeys)
                        {
                            tileKeys = Math.Min(KeyBlock, walkEnd - tileStart);
                            bool tileMasked = false;
                            int scoredBlocks = 0, partialBlocks = 0, runtimePartialBlocks = 0; // bit i: the tile's block i
                            int blockCount = (tileKeys + PackedBlockKeys - 1) / PackedBlockKeys;

                            // Pass 1, each block's status: skipped (never scored, nor read when keyMask drops it; its lanes
                            // carry no weight), full, or partial for the static ranges and for the run-time masks.
                            for (int block = 0; block < blockCount; block++)
                            {
                                int blockOffset = block * PackedBlockKeys, blockStart = tileStart + blockOffset;
                                int globalLanes = HasGlobals ? blockGlobalLanes[block] = GlobalLanes(blockStart) : 0;
                                bool inEveryRange = blockStart >= commonStart && blockStart <= commonEnd - PackedBlockKeys;
                                bool outsideEveryRange = globalLanes == 0 && OutsideEveryRange(blockStart, rangeStarts.Slice(0, rows), rangeEnds.Slice(0, rows));

                                // Run-time masks: the lanes each row keeps (all 16 without them).
                                bool runtimeFull = true, runtimeEmpty = false;
                                if (runtimeMasked && !outsideEveryRange)
                                {
                                    RuntimeBits(keyMask, mask, maskStride, firstRow, rows, blockStart, Math.Min(PackedBlockKeys, keyCount - blockStart), rowBits.Slice(block * MaxRows, rows),
                                        out runtimeFull, out runtimeEmpty);
                                }

                                tileMasked |= !inEveryRange || !runtimeFull;
                                if (outsideEveryRange || runtimeEmpty)
                                {
                                    for (int row = 0; row < rows; row++)
                                    {
                                        scores.Slice(row * KeyBlock + blockOffset, PackedBlockKeys).Fill(float.NegativeInfinity);
                                    }

                                    continue;
                                }

                                scoredBlocks |= 1 << block;
                                partialBlocks |= inEveryRange ? 0 : 1 << block;
                                runtimePartialBlocks |= runtimeFull ? 0 : 1 << block;
                            }

                            if (scoredBlocks == 0)
                            {
                                continue; // every block of the tile was skipped: no weight, no softmax update, no value read
                            }

                            // Pass 2, scores for rows x 16 keys per scored block from the packed blocks; a path that can
                            // takes two adjacent blocks at once (each query broadcast then feeds two multiply-adds).
                            for (int block = 0; block < blockCount; block++)
                            {
                                if ((scoredBlocks & (1 << block)) == 0)
                                {
                                    continue;
                                }

                                int blockStart = tileStart + block * PackedBlockKeys;
                                ref float packedBlock = ref Unsafe.Add(ref packedStart, (blockStart - packedFirstKey) * D);
                                if (TPath.RowTile == 8 && (scoredBlocks & (2 << block)) != 0)
                                {
                                    TPath.ScoreTilePair(ref queryRows, ref packedBlock, scores.Slice(block * PackedBlockKeys));
                                    block++;
                                }
                                else
                                {
                                    TPath.ScoreTile(ref queryRows, ref packedBlock, scores.Slice(block * PackedBlockKeys));
                                }
                            }

                            // Pass 3, per scored block: the score transform (out of line, so a kernel without one compiles none
                            // of it), then masked lanes to -inf.
                            if (!TScore.IsIdentity)
                            {
                                tileMasked = TransformTile(scores, scoredBlocks, blockCount, tileStart, keyCount, rows, firstRow, firstPosition, score, tileMasked);
                            }

                            for (int block = 0; block < blockCount; block++)
                            {
                                if ((scoredBlocks & (1 << block)) == 0)
                                {
                                    continue;
                                }

                                int blockOffset = block * PackedBlockKeys, blockStart = tileStart + blockOffset;
                                if ((partialBlocks & (1 << block)) != 0)
                                {
                                    // Partial block: lanes outside a row's range become -inf (vector compares).
                                    int globalLanes = HasGlobals ? blockGlobalLanes[block] : 0;
                                    for (int row = 0; row < rows; row++)
                                    {
                                        TileMask.Apply(scores.Slice(row * KeyBlock + blockOffset, PackedBlockKeys), blockStart, rangeStarts[row], rangeEnds[row], globalLanes, visibleEnds[row]);
                                    }
                                }

                                if ((runtimePartialBlocks & (1 << block)) != 0)
                                {
                                    // Partial for the run-time masks: lanes a row does not keep become -inf.
                                    for (int row = 0; row < rows; row++)
                                    {
                                        TileMask.ApplyBits(scores.Slice(row * KeyBlock + blockOffset, PackedBlockKeys), rowBits[block * MaxRows + row]);
                                    }
                                }
                            }

                            // Softmax update per row over the tile, then acc = correction * acc + P V for all rows at once.
                            for (int row = 0; row < rows; row++)
                            {
                                corrections[row] = OnlineSoftmax.Update(scores.Slice(row * KeyBlock, tileKeys), ref runningMax[row], ref runningSum[row]);
                            }

                            ReadOnlySpan<float> tileValues = value.Slice(tileStart * D, tileKeys * D);
                            if (tileMasked && !Reductions.AllFinite(tileValues))
                            {
                                // Masked lanes weigh 0, but 0 * NaN and 0 * inf are NaN: skip them so a masked key's value never reaches the output.
                                OnlineSoftmax.AccumulateNonZero(accumulators, corrections, scores, KeyBlock, tileValues, rows, D);
                            }
                            else
                            {
                                TPath.AccumulateTile(accumulators, corrections, scores, ref MemoryMarshal.GetReference(tileValues), tileKeys);
                            }
                        }
                        }
                    }

                    for (int group = 0; group < groups; group++)
                    {
                        int firstRow = blockRow + group * rows;
                        int scanStart = groupBounds[4 * group], scanEnd = groupBounds[4 * group + 1];
                        Span<int> visibleEnds = blockVisibleEnds.Slice(group * rows, rows);
                        Span<float> runningMax = blockMax.Slice(group * rows, rows), runningSum = blockSum.Slice(group * rows, rows);
                        Span<float> accumulators = blockAccumulators.Slice(group * rows * D, rows * D);
                        ref float queryRows = ref Unsafe.Add(ref queryStart, firstRow * D);
                        int firstPosition = Position(firstRow, queryCount, keyCount, keyPrefix);
                    if (HasGlobals)
                    {
                        GlobalKeysOutsideScan(ref queryRows, ref keyValueRows, accumulators, runningMax, runningSum, visibleEnds, firstRow, firstPosition, scanStart, scanEnd,
                            keyCount, rowScores, keyIndices, keyMask, mask, maskStride, score);
                    }

                        // Normalise every row of the group.
                        for (int row = 0; row < rows; row++)
                        {
                            FinishRow(accumulators.Slice(row * D, D), runningMax[row], runningSum[row], output.Slice((firstRow + row) * D, D), logSumExp, firstRow + row, score);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(accumulatorBuffer);
            }
        }

        /// <summary>
        /// Pass 3's score transform over every scored block of a tile (only the block's real keys: the last block may end
        /// past Nk); returns whether the tile is now masked (a bias may hide a key). Out of line because the JIT inlines
        /// into a branch before it folds it: inside the tile loop this body was compiled, then dropped, by every kernel
        /// without a transform (bench/RESULTS.md, "First call"). One call per tile.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static bool TransformTile(Span<float> scores, int scoredBlocks, int blockCount, int tileStart, int keyCount, int rows, int firstRow, int firstPosition,
            in ScoreState score, bool tileMasked)
        {
            for (int block = 0; block < blockCount; block++)
            {
                if ((scoredBlocks & (1 << block)) == 0)
                {
                    continue;
                }

                int blockOffset = block * PackedBlockKeys, blockStart = tileStart + blockOffset;
                int lanes = Math.Min(PackedBlockKeys, keyCount - blockStart);
                for (int row = 0; row < rows; row++)
                {
                    TScore.Apply(scores.Slice(row * KeyBlock + blockOffset, lanes), firstRow + row, firstPosition + row, blockStart, score);
                    if (TScore.MayHide && !tileMasked)
                    {
                        tileMasked = scores.Slice(row * KeyBlock + blockOffset, lanes).Contains(float.NegativeInfinity); // hidden by its bias
                    }
                }
            }

            return tileMasked;
        }

        /// <summary>
        /// Global keys outside a group's scanned keys, row by row (a global row's range already covers all it sees). Out of
        /// line for the reason <see cref="TransformTile"/> is; one call per group of rows.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void GlobalKeysOutsideScan(ref float queryRows, ref FloatRows<TPath> keyValueRows, scoped Span<float> accumulators, scoped Span<float> runningMax,
            scoped Span<float> runningSum, scoped ReadOnlySpan<int> visibleEnds, int firstRow, int firstPosition, int scanStart, int scanEnd, int keyCount, scoped Span<float> rowScores,
            scoped Span<int> keyIndices,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, in ScoreState score)
        {
            for (int row = 0; row < runningMax.Length; row++)
            {
                ref float queryVector = ref Unsafe.Add(ref queryRows, row * D);
                Span<float> rowAccumulator = accumulators.Slice(row * D, D);
                ReadOnlySpan<bool> rowMask = TMask.HasRuntimeMasks && !mask.IsEmpty ? mask.Slice((firstRow + row) * maskStride, keyCount) : default;
                RowLoop<TPath, TMask, TScore>.AccumulateGlobalKeys(0, Math.Min(scanStart, visibleEnds[row]), ref queryVector, ref keyValueRows, firstRow + row, firstPosition + row,
                    rowScores, keyIndices, rowAccumulator, ref runningMax[row], ref runningSum[row], keyMask, rowMask, score);
                RowLoop<TPath, TMask, TScore>.AccumulateGlobalKeys(Math.Max(scanEnd, scanStart), visibleEnds[row], ref queryVector, ref keyValueRows, firstRow + row, firstPosition + row,
                    rowScores, keyIndices, rowAccumulator, ref runningMax[row], ref runningSum[row], keyMask, rowMask, score);
            }
        }
    }
}
