using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// The attention loops of every generated kernel, written once: the FlashAttention-2 online softmax over tiles of
    /// query rows x packed key blocks, single rows over exact key ranges, long rows split into key chunks, global keys,
    /// run-time masks and threads. Generic over the generated structs the JIT specialises per kernel and vector width:
    /// the head-dimension path (<typeparamref name="TPath"/>), the compile-time mask (<typeparamref name="TMask"/>) and
    /// the score transform (<typeparamref name="TScore"/>). No interface dispatch, delegate or virtual call reaches the
    /// hot loops; every property of the three structs is a JIT-time constant.
    /// </summary>
    /// <typeparam name="TPath">The d-unrolled micro-kernels of one vector width.</typeparam>
    /// <typeparam name="TMask">The kernel's causal / window / global-token constants.</typeparam>
    /// <typeparam name="TScore">What happens to a scaled score before the mask, and the sink (IdentityScore or ModifiedScore).</typeparam>
    public static partial class AttentionEngine<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;
        private const int BlockKeys = AttentionEngine.BlockKeys;

        /// <summary>
        /// Query rows whose tile groups share each chunk of keys (cache blocking): 64 rows' accumulators are 64 d floats
        /// (32 KiB at d = 128), and each chunk of K and V is read from memory once per 64 rows instead of once per group.
        /// </summary>
        private const int BlockRows = 64;

        /// <summary>Floats of packed keys (and as many of values) per chunk: 64 KiB each, so a chunk of both stays in a 512 KiB L2.</summary>
        private const int ChunkFloats = 16384;

        /// <summary>Keys per chunk of the tile walk: ChunkFloats / d in whole KeyBlocks (at least one).</summary>
        private static int TileChunkKeys
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Math.Max(KeyBlock, ChunkFloats / D / KeyBlock * KeyBlock);
        }

        // JIT-time constants. AggressiveInlining because the tile loop's inlining budget is spent on the micro-kernels:
        // without it the JIT left these as calls in RunRowGroups (seen in DOTNET_JitDisasm), and the global-key code of a
        // kernel without globals stayed compiled in.
        /// <summary>Query rows from which gathering the keys keyMask keeps pays (the copy is then at most 1/8 of the reads).</summary>
        private const int MinCompactedRows = 16;

        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        private static bool MasksNothing
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => !TMask.Causal && !TMask.HasWindow;
        }

        private static bool HasGlobals
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TMask.HasWindow && !TMask.GlobalPositions.IsEmpty;
        }

        /// <summary>
        /// Whether the mask's global positions are sorted, unique and non-negative, as the loops that index key rows by them
        /// assume (the generator emits them so); read once per kernel, a JIT-time constant after.
        /// </summary>
        private static readonly bool s_globalPositionsValid = EngineBounds.SortedNonNegative(TMask.GlobalPositions);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CheckGlobalPositions()
        {
            if (HasGlobals && !s_globalPositionsValid)
            {
                throw new ArgumentException("The mask's global positions must be sorted, unique and non-negative.", nameof(TMask));
            }
        }

        /// <summary>
        /// Computes every row of one head: query [Nq, d] against key and value [Nk, d] (lengths already checked), into
        /// output, and each row's log-sum-exp unless <paramref name="logSumExp"/> is empty.
        /// </summary>
        public static void Compute(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            RuntimeMasks masks) =>
            Compute(query, key, value, output, logSumExp, masks, default);

        /// <summary>
        /// Computes every row of one head as <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, RuntimeMasks)"/>,
        /// with the head's run-time score inputs (scale, ALiBi slope, bias rows, sink) for <typeparamref name="TScore"/>.
        /// </summary>
        public static unsafe void Compute(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            RuntimeMasks masks, ScoreArguments scores)
        {
            EngineBounds.CheckHead(D, query.Length, key.Length, value.Length, output.Length, logSumExp.Length, masks, scores.Bias.Length, scores.BiasStride, TScore.MayHide);
            CheckGlobalPositions();

            // The bias is pinned for the whole call: the loops (and worker threads) read it through ScoreState.
            fixed (float* bias = scores.Bias)
            {
                var state = new ScoreState(scores.Scale, scores.AlibiSlope, scores.Sink, bias, scores.Bias.Length, scores.BiasStride);
                int nonFinite = OnlineSoftmax.NonFiniteRows;
                Compute(query, key, value, output, logSumExp, masks, in state);
                if (OnlineSoftmax.NonFiniteRows != nonFinite)
                {
                    OverflowRows<TPath, TMask, TScore>.Repair(OneHead(query, key, value, output, logSumExp, masks, in state));
                }
            }
        }

        /// <summary>
        /// Computes every row of one head whose query, keys and values and output may each be float, <see cref="Half"/> or
        /// <see cref="BFloat16"/> (keys and values of one type). Inputs are widened exactly; arithmetic is float32; a
        /// 16-bit output is rounded to nearest even once, at the end. Float spans take the float path unchanged.
        /// </summary>
        /// <remarks>
        /// 16-bit keys and values: with at least <see cref="MinWidenedRows"/> query rows (a prefill) they are widened once
        /// into pooled float rows (O(Nk d) against the O(Nq Nk d) of the call) and the float loops and tiles run on them;
        /// with fewer (a decode step) each row reads the 16-bit rows in place, widened in registers as they are scored and
        /// accumulated, so a step reads 2 bytes per cached element. A prefill gives exactly what the float path gives on the
        /// widened values; a decode step the same arithmetic in another summation order.
        /// </remarks>
        public static unsafe void Compute<TQuery, TKeyValue, TOutput>(ReadOnlySpan<TQuery> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value,
            Span<TOutput> output, Span<float> logSumExp, RuntimeMasks masks, ScoreArguments scores)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            EngineBounds.CheckHead(D, query.Length, key.Length, value.Length, output.Length, logSumExp.Length, masks, scores.Bias.Length, scores.BiasStride, TScore.MayHide);
            CheckGlobalPositions();
            float[]? queryBuffer = null, outputBuffer = null;
            try
            {
                ReadOnlySpan<float> floatQuery;
                if (typeof(TQuery) == typeof(float))
                {
                    floatQuery = MemoryMarshal.Cast<TQuery, float>(query);
                }
                else
                {
                    queryBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, query.Length));
                    Storage.Widen(query, queryBuffer.AsSpan(0, query.Length));
                    floatQuery = queryBuffer.AsSpan(0, query.Length);
                }

                Span<float> floatOutput;
                if (typeof(TOutput) == typeof(float))
                {
                    floatOutput = MemoryMarshal.Cast<TOutput, float>(output);
                }
                else
                {
                    outputBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, output.Length));
                    floatOutput = outputBuffer.AsSpan(0, output.Length);
                }

                if (typeof(TKeyValue) == typeof(float))
                {
                    Compute(floatQuery, MemoryMarshal.Cast<TKeyValue, float>(key), MemoryMarshal.Cast<TKeyValue, float>(value), floatOutput, logSumExp, masks, scores);
                }
                else
                {
                    ComputeWidened(floatQuery, key, value, floatOutput, logSumExp, masks, scores);
                }

                if (outputBuffer is not null)
                {
                    Storage.Narrow(floatOutput, output); // round to nearest even, once
                }
            }
            finally
            {
                if (outputBuffer is not null)
                {
                    ArrayPool<float>.Shared.Return(outputBuffer);
                }

                if (queryBuffer is not null)
                {
                    ArrayPool<float>.Shared.Return(queryBuffer);
                }
            }
        }

        /// <summary>A single head's contiguous rows as a head group (for <see cref="OverflowRows{TPath, TMask, TScore}"/>).</summary>
        private static HeadGroup<float, TKeyValue, float> OneHead<TKeyValue>(ReadOnlySpan<float> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value,
            Span<float> output, Span<float> logSumExp, RuntimeMasks masks, in ScoreState state)
            where TKeyValue : unmanaged => new()
        {
            Query = query,
            Output = output,
            QueryRowStride = D,
            Key = key,
            Value = value,
            KeyRowStride = D,
            KeyValueHeads = 1,
            Heads = 1,
            QueryCount = query.Length / D,
            KeyCount = key.Length / D,
            LogSumExp = logSumExp,
            Masks = masks,
            Scores = new ReadOnlySpan<ScoreState>(in state),
        };

        /// <summary>Query rows from which 16-bit keys and values are widened whole rather than a block at a time per row.</summary>
        private static int MinWidenedRows
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Math.Max(4, TPath.RowTile);
        }

        /// <summary>16-bit keys and values (see the remarks of the public overload).</summary>
        private static unsafe void ComputeWidened<TKeyValue>(ReadOnlySpan<float> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value, Span<float> output,
            Span<float> logSumExp, RuntimeMasks masks, ScoreArguments scores)
            where TKeyValue : unmanaged
        {
            int queryCount = query.Length / D, keyCount = key.Length / D;
            if (queryCount >= MinWidenedRows)
            {
                float[] keys = ArrayPool<float>.Shared.Rent(Math.Max(1, key.Length));
                float[] values = ArrayPool<float>.Shared.Rent(Math.Max(1, value.Length));
                try
                {
                    Storage.Widen(key, keys.AsSpan(0, key.Length));
                    Storage.Widen(value, values.AsSpan(0, value.Length));
                    Compute(query, keys.AsSpan(0, key.Length), values.AsSpan(0, value.Length), output, logSumExp, masks, scores);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(values);
                    ArrayPool<float>.Shared.Return(keys);
                }

                return;
            }

            fixed (float* bias = scores.Bias)
            {
                var state = new ScoreState(scores.Scale, scores.AlibiSlope, scores.Sink, bias, scores.Bias.Length, scores.BiasStride);
                if (queryCount == 0)
                {
                    return;
                }

                if (keyCount == 0)
                {
                    output.Slice(0, queryCount * D).Clear();
                    logSumExp.Fill(EmptyRowLogSumExp(state));
                    return;
                }

                float[] scratch = ArrayPool<float>.Shared.Rent(2 * KeyBlock * D);
                try
                {
                    var rows = new StridedRows<TKeyValue>(key, value, D, scratch.AsSpan(0, KeyBlock * D), scratch.AsSpan(KeyBlock * D, KeyBlock * D));
                    ReadOnlySpan<bool> keyMask = TMask.HasRuntimeMasks ? masks.KeyMask : default;
                    ReadOnlySpan<bool> mask = TMask.HasRuntimeMasks ? masks.Mask : default;
                    int nonFinite = OnlineSoftmax.NonFiniteRows;
                    RunSingleRows(query, default, default, ref rows, output, logSumExp, queryCount, keyCount, 0, queryCount, keyMask, mask, masks.MaskStride, default,
                        state);
                    if (OnlineSoftmax.NonFiniteRows != nonFinite)
                    {
                        OverflowRows<TPath, TMask, TScore>.Repair(OneHead(query, key, value, output, logSumExp, masks, in state));
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }
        }

        private static void Compute(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            RuntimeMasks masks, in ScoreState score)
        {
            int queryCount = query.Length / D, keyCount = key.Length / D;
            if (queryCount == 0)
            {
                return; // Nq = 0: nothing to compute.
            }

            if (keyCount == 0)
            {
                output.Slice(0, queryCount * D).Clear(); // Nk = 0: every row sees no key: zeros, log-sum-exp -inf (the sink with one).
                logSumExp.Fill(EmptyRowLogSumExp(score));
                return;
            }

            ReadOnlySpan<bool> keyMask = TMask.HasRuntimeMasks ? masks.KeyMask : default;
            ReadOnlySpan<bool> mask = TMask.HasRuntimeMasks ? masks.Mask : default;
            // keyMask alone, and enough query rows to pay for gathering the kept keys (a decode step would copy 2 Nk d
            // floats to read them once: it uses the per-block bits instead), and a transform that needs no original key
            // index (the kept keys are renumbered).
            if (TMask.HasRuntimeMasks && !HasGlobals && TScore.IsIdentity && !keyMask.IsEmpty && mask.IsEmpty && queryCount >= MinCompactedRows
                && keyCount < int.MaxValue) // its prefix holds keyCount + 1 entries
            {
                ComputeCompacted(query, key, value, output, logSumExp, keyMask, queryCount, keyCount, score);
                return;
            }

            Run(query, key, value, output, logSumExp, keyMask, mask, masks.MaskStride, default, queryCount, keyCount, score);
        }

        /// <summary>The log-sum-exp of a row that sees no key: ln e^sink = sink with a sink, -inf without.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float EmptyRowLogSumExp(in ScoreState score) => TScore.HasSink ? score.Sink : float.NegativeInfinity;

        /// <summary>
        /// Writes a finished row: out = acc / sum and its log-sum-exp, with the sink (when the kernel has one) joining the
        /// denominator as e^sink. Rescaled to M = max(m, sink) so neither term overflows: sum' = sum e^(m - M) + e^(sink - M),
        /// out = acc e^(m - M) / sum', log-sum-exp = M + ln sum'. A row that saw no key is zeros (log-sum-exp: the sink).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void FinishRow(Span<float> accumulator, float runningMax, float runningSum, Span<float> destination, Span<float> logSumExp, int row,
            in ScoreState score)
        {
            OnlineSoftmax.NoteIfNonFinite(runningMax, runningSum);
            if (TScore.HasSink && runningSum > 0f)
            {
                float sink = score.Sink;
                float top = MathF.Max(runningMax, sink);
                float keep = ExpOp.Invoke(runningMax - top);
                float total = runningSum * keep + ExpOp.Invoke(sink - top);
                // keep may underflow to 0 (the sink outweighs every key by e^87): the weights are then 0 and so is the row.
                OnlineSoftmax.Normalize(accumulator, keep > 0f ? total / keep : float.PositiveInfinity, destination);
                if (!logSumExp.IsEmpty)
                {
                    logSumExp[row] = top + MathF.Log(total);
                }

                return;
            }

            OnlineSoftmax.Normalize(accumulator, runningSum, destination);
            if (!logSumExp.IsEmpty)
            {
                logSumExp[row] = TScore.HasSink && runningSum == 0f ? score.Sink : OnlineSoftmax.LogSumExp(runningMax, runningSum);
            }
        }

        /// <summary>
        /// keyMask alone (no dense mask, no global keys): the kept keys and their values are gathered once into pooled
        /// buffers (O(Nk d), against the O(Nq Nk d) of the call) and the loops run over those alone, so a key dropped
        /// anywhere, even one in every 16, costs nothing. The kept keys keep their order, so every row's contiguous range
        /// in the original keys is a contiguous range of the kept ones: keyPrefix[j] = kept keys before key j maps it.
        /// </summary>
        private static void ComputeCompacted(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<bool> keyMask, int queryCount, int keyCount, in ScoreState score)
        {
            int[] prefix = ArrayPool<int>.Shared.Rent(keyCount + 1);
            try
            {
                // A flag is read by truthiness: any non-zero byte keeps the key (as the block bits read it).
                ReadOnlySpan<byte> flags = MemoryMarshal.AsBytes(keyMask);
                int kept = 0;
                for (int j = 0; j < keyCount; j++)
                {
                    prefix[j] = kept;
                    if (flags[j] != 0)
                    {
                        kept++;
                    }
                }

                prefix[keyCount] = kept;
                float[] keptKeys = ArrayPool<float>.Shared.Rent(Math.Max(1, kept * D));
                float[] keptValues = ArrayPool<float>.Shared.Rent(Math.Max(1, kept * D));
                try
                {
                    // Gathered by the prefix, not by a second read of the flags: the caller's keyMask may change while the
                    // call runs, and the copy must match the counts the buffers were sized by.
                    for (int j = 0, target = 0; j < keyCount; j++)
                    {
                        if (prefix[j + 1] != prefix[j])
                        {
                            key.Slice(j * D, D).CopyTo(keptKeys.AsSpan(target * D, D));
                            value.Slice(j * D, D).CopyTo(keptValues.AsSpan(target * D, D));
                            target++;
                        }
                    }

                    Run(query, keptKeys.AsSpan(0, kept * D), keptValues.AsSpan(0, kept * D), output, logSumExp, default, default, 0, prefix.AsSpan(0, keyCount + 1),
                        queryCount, kept, score);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(keptValues);
                    ArrayPool<float>.Shared.Return(keptKeys);
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(prefix);
            }
        }

        /// <summary>
        /// The loops over <paramref name="keyCount"/> keys: tiles for whole row groups, then single rows. With a
        /// <paramref name="keyPrefix"/> the keys are the kept ones of a larger set, whose count is keyPrefix.Length - 1.
        /// </summary>
        private static void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ReadOnlySpan<int> keyPrefix, int queryCount, int keyCount, in ScoreState score)
        {
            if (keyCount == 0)
            {
                output.Slice(0, queryCount * D).Clear(); // every key dropped: every row is zeros, log-sum-exp -inf (the sink with one).
                logSumExp.Fill(EmptyRowLogSumExp(score));
                return;
            }

            // Work per row for the thread heuristics: the widest key range a row can have.
            long rangeWidth = TMask.HasWindow ? Math.Min(keyCount, (long)TMask.WindowLeft + TMask.WindowRight + 1) : keyCount;

            // Tile loop: whole groups of TPath.RowTile rows share each packed key block (a path with RowTile 0 has none).
            int groupedRows = TPath.RowTile == 0 ? 0 : queryCount / TPath.RowTile * TPath.RowTile;
            if (groupedRows > 0)
            {
                PackedBand(queryCount, keyCount, groupedRows, keyPrefix, out int packStart, out int packEnd);
                long packedLength = KeyPacking.PackedLength(packEnd - packStart, D);
                if (packedLength > KeyPacking.MaxPackedLength)
                {
                    groupedRows = 0; // Too many keys to pack (over 256 MiB): every row takes the one-row path below, which needs no scratch.
                }
                else
                {
                    // Keys packed once per call into 16-key blocks, transposed to [d][16]: a score tile needs no horizontal sums.
                    // The buffer comes from the shared pool, so a steady stream of calls allocates nothing; each 16-key block
                    // starts on a cache line (16 x 4 bytes per column), so no vector load of it splits one.
                    float[] packed = AlignedScratch.Rent((int)packedLength);
                    try
                    {
                        Span<float> packedView = AlignedScratch.View(packed, (int)packedLength);
                        KeyPacking.PackTransposed(key.Slice(packStart * D, (packEnd - packStart) * D), D, packedView);
                        AttentionThreading.ForRowGroups<RowGroups>(query, key, value, output, logSumExp, packedView, packStart,
                            queryCount, keyCount, 0, groupedRows, TPath.RowTile, (long)groupedRows * rangeWidth * D, keyMask, mask, maskStride, keyPrefix, score);
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(packed);
                    }
                }
            }

            // Rows left over (fewer than a group, e.g. a decode step), or every row on a path without tiles: one at a time
            // over exactly their key range.
            if (groupedRows < queryCount)
            {
                AttentionThreading.ForRowGroups<SingleRows>(query, key, value, output, logSumExp, ReadOnlySpan<float>.Empty, 0,
                    queryCount, keyCount, groupedRows, queryCount, 1, (long)(queryCount - groupedRows) * rangeWidth * D, keyMask, mask, maskStride, keyPrefix, score);
            }
        }

        /// <summary>
        /// Query row <paramref name="queryRow"/>'s key range (see <see cref="MaskGeometry.RowRange"/>), in the keys the
        /// loops walk: with a <paramref name="keyPrefix"/> the geometry is that of the original keys and the bounds are
        /// mapped to the kept ones.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RowRange(int queryRow, int queryCount, int keyCount, ReadOnlySpan<int> keyPrefix,
            out int rangeStart, out int rangeEnd, out int visibleEnd, out bool globalRow)
        {
            int geometryKeys = TMask.HasRuntimeMasks && !keyPrefix.IsEmpty ? keyPrefix.Length - 1 : keyCount;
            if (MasksNothing)
            {
                rangeStart = 0;
                rangeEnd = visibleEnd = keyCount;
                globalRow = false;
                return;
            }

            long position = (long)queryRow + geometryKeys - queryCount;
            globalRow = HasGlobals && position >= 0 && position <= int.MaxValue && TMask.GlobalPositions.BinarySearch((int)position) >= 0;
            MaskGeometry.RowRange(position, geometryKeys, TMask.Causal, TMask.HasWindow, TMask.WindowLeft, TMask.WindowRight, globalRow,
                out rangeStart, out rangeEnd, out visibleEnd);
            if (TMask.HasRuntimeMasks && !keyPrefix.IsEmpty)
            {
                rangeStart = keyPrefix[rangeStart];
                rangeEnd = keyPrefix[rangeEnd];
                visibleEnd = keyPrefix[visibleEnd];
            }
        }

        /// <summary>Query row <paramref name="queryRow"/>'s key position p(i) = i + Nk - Nq over the original keys.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Position(int queryRow, int queryCount, int keyCount, ReadOnlySpan<int> keyPrefix) =>
            (int)Math.Clamp((long)queryRow + (TMask.HasRuntimeMasks && !keyPrefix.IsEmpty ? keyPrefix.Length - 1 : keyCount) - queryCount, int.MinValue, int.MaxValue);

        /// <summary>
        /// The keys the grouped rows' tiles can score, widened to whole 16-key blocks and clipped to Nk: a windowed call
        /// packs only its band of keys, never the whole cache.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PackedBand(int queryCount, int keyCount, int groupedRows, ReadOnlySpan<int> keyPrefix, out int packStart, out int packEnd)
        {
            if (MasksNothing)
            {
                packStart = 0;
                packEnd = keyCount;
                return;
            }

            packStart = keyCount;
            packEnd = 0;
            for (int row = 0; row < groupedRows; row++)
            {
                RowRange(row, queryCount, keyCount, keyPrefix, out int rangeStart, out int rangeEnd, out _, out _);
                if (rangeStart < rangeEnd)
                {
                    packStart = Math.Min(packStart, rangeStart);
                    packEnd = Math.Max(packEnd, rangeEnd);
                }
            }

            packStart = packStart < packEnd ? packStart / BlockKeys * BlockKeys : 0;
            packEnd = Math.Max(packStart, (int)Math.Min(keyCount, ((long)packEnd + BlockKeys - 1) / BlockKeys * BlockKeys));
        }

        /// <summary>Single rows, as the thread scheduler calls them.</summary>
        private readonly struct SingleRows : IRowRangeKernel
        {
            public static void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
                ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd,
                ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ReadOnlySpan<int> keyPrefix, in ScoreState score)
            {
                var rows = new FloatRows(key, value);
                RunSingleRows(query, key, value, ref rows, output, logSumExp, queryCount, keyCount, rowStart, rowEnd, keyMask, mask, maskStride, keyPrefix, score);
            }
        }

        /// <summary>Rows [rowStart, rowEnd) one at a time, each over exactly its key range; per-row state lives on the stack.</summary>
        /// <remarks>
        /// Key and value rows come from <paramref name="rows"/>: the caller's float spans read in place, or 16-bit rows
        /// widened in registers. <paramref name="key"/> and <paramref name="value"/> are the float spans (empty for
        /// 16-bit rows), which a long row hands to the threads as key chunks.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RunSingleRows<TRows>(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ref TRows rows, Span<float> output,
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
                    if (!rows.AccumulateLongRow(query.Slice(queryRow * D, D), rangeStart, rangeEnd, queryRow, position, accumulator, out runningMax, out runningSum,
                        keyMask, rowMask, score))
                    {
                        AccumulateChunks(query.Slice(queryRow * D, D), key, value, rangeStart, rangeEnd, queryRow, position, accumulator, out runningMax, out runningSum,
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
        private static void AccumulateRange<TRows>(ref float queryVector, ref TRows rows, int start, int end, int queryRow, int position,
            scoped Span<float> scores, scoped Span<float> accumulator, ref float runningMax, ref float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask,
            in ScoreState score)
            where TRows : IKeyValueRows, allows ref struct
        {
            int blockStart = start;
            while (blockStart < end)
            {
                int blockLength = Math.Min(KeyBlock, end - blockStart);
                Span<float> blockScores = scores.Slice(0, blockLength);
                if (TMask.HasRuntimeMasks && DynamicMask.AllDropped(keyMask, blockStart, blockLength))
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

                bool masked = TMask.HasRuntimeMasks && DynamicMask.Apply(blockScores, keyMask, rowMask, blockStart);
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
        private static void AccumulateGlobalKeys<TRows>(int from, int to, ref float queryVector, ref TRows rows, int queryRow, int position,
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
                    if (!TMask.HasRuntimeMasks || DynamicMask.Keeps(keyMask, rowMask, globals[next]))
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

        /// <summary>
        /// One row over keys [rangeStart, rangeEnd) in chunks of AttentionThreading.ChunkKeys, computed on up to
        /// MaxDegreeOfParallelism threads and merged in chunk order (log-sum-exp): the same result on any thread count.
        /// </summary>
        private static void AccumulateChunks(ReadOnlySpan<float> queryRow, ReadOnlySpan<float> key, ReadOnlySpan<float> value, int rangeStart, int rangeEnd, int row,
            int position, Span<float> accumulator, out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
        {
            int chunks = (int)(((long)rangeEnd - rangeStart + AttentionThreading.ChunkKeys - 1) / AttentionThreading.ChunkKeys);
            int length = chunks * (D + 2);
            float[] partials = ArrayPool<float>.Shared.Rent(length);
            try
            {
                AttentionThreading.ForKeyChunks<KeyChunks>(queryRow, key, value, partials.AsSpan(0, length), rangeStart, rangeEnd, AttentionThreading.ChunkKeys,
                    row, position, keyMask, rowMask, score);
                OnlineSoftmax.MergeChunks(partials.AsSpan(0, length), chunks, accumulator, out runningMax, out runningSum);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(partials);
            }
        }

        /// <summary>Chunk states of one long row, as the thread scheduler calls them.</summary>
        private readonly struct KeyChunks : IKeyChunkKernel
        {
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static void Run(ReadOnlySpan<float> queryRow, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> partials,
                int rangeStart, int rangeEnd, int chunkKeys, int chunkStart, int chunkEnd, int row, int position, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask,
                in ScoreState score)
            {
                Span<float> scores = stackalloc float[KeyBlock];
                var rows = new FloatRows(key, value);
                ChunkStates(ref MemoryMarshal.GetReference(queryRow), ref rows, partials, rangeStart, rangeEnd, chunkKeys, chunkStart, chunkEnd, row, position, scores,
                    keyMask, rowMask, score);
            }
        }

        /// <summary>
        /// Chunk states of one long row over 16-bit rows d apart, as the thread scheduler calls them: the key and value spans
        /// arrive as floats over the same bytes (see <c>StridedRows.AccumulateLongRow</c>) and are read back as
        /// <typeparamref name="TElement"/>; rows past the row's range, and so the bytes the rounding up added, are never read.
        /// </summary>
        private readonly struct WidenedKeyChunks<TElement> : IKeyChunkKernel
            where TElement : unmanaged
        {
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static void Run(ReadOnlySpan<float> queryRow, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> partials,
                int rangeStart, int rangeEnd, int chunkKeys, int chunkStart, int chunkEnd, int row, int position, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask,
                in ScoreState score)
            {
                Span<float> scores = stackalloc float[KeyBlock];
                float[] scratch = ArrayPool<float>.Shared.Rent(2 * KeyBlock * D);
                try
                {
                    var rows = new StridedRows<TElement>(Restore(key), Restore(value), D, scratch.AsSpan(0, KeyBlock * D), scratch.AsSpan(KeyBlock * D, KeyBlock * D));
                    ChunkStates(ref MemoryMarshal.GetReference(queryRow), ref rows, partials, rangeStart, rangeEnd, chunkKeys, chunkStart, chunkEnd, row, position, scores,
                        keyMask, rowMask, score);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }

            private static ReadOnlySpan<TElement> Restore(ReadOnlySpan<float> span) =>
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<float, TElement>(ref MemoryMarshal.GetReference(span)),
                    (int)Math.Min(int.MaxValue, (long)span.Length * 4 / Unsafe.SizeOf<TElement>())); // a full-length 16-bit span rounds up past int.MaxValue
        }

        /// <summary>
        /// The states of chunks [chunkStart, chunkEnd) of one row's keys [rangeStart, rangeEnd): chunk c at
        /// partials[c * (d + 2)]: the accumulator (d floats), then the chunk's max, then its sum.
        /// </summary>
        private static void ChunkStates<TRows>(ref float queryVector, ref TRows rows, scoped Span<float> partials, int rangeStart, int rangeEnd, int chunkKeys,
            int chunkStart, int chunkEnd, int row, int position, scoped Span<float> scores, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
            where TRows : IKeyValueRows, allows ref struct
        {
            for (int chunk = chunkStart; chunk < chunkEnd; chunk++)
            {
                Span<float> state = partials.Slice(chunk * (D + 2), D + 2);
                Span<float> accumulator = state.Slice(0, D);
                accumulator.Clear();
                float runningMax = float.NegativeInfinity;
                float runningSum = 0f;
                int start = rangeStart + chunk * chunkKeys;
                AccumulateRange(ref queryVector, ref rows, start, start + Math.Min(chunkKeys, rangeEnd - start), row, position, scores, accumulator,
                    ref runningMax, ref runningSum, keyMask, rowMask, score);
                state[D] = runningMax;
                state[D + 1] = runningSum;
            }
        }

        /// <summary>Row groups, as the thread scheduler calls them.</summary>
        private readonly struct RowGroups : IRowRangeKernel
        {
            public static void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
                ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd,
                ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ReadOnlySpan<int> keyPrefix, in ScoreState score) =>
                RunRowGroups(query, key, value, output, logSumExp, packedKeys, packedFirstKey, queryCount, keyCount, rowStart, rowEnd, keyMask, mask, maskStride, keyPrefix,
                    score);
        }

        /// <summary>
        /// Rows [rowStart, rowEnd), whole groups of TPath.RowTile, through the tiled micro-kernel. Per group: each row's
        /// range; their union is walked in tiles of KeyBlock keys made of 16-key packed blocks. Each block gets one status
        /// from the compile-time ranges AND the run-time masks: skipped (no row sees a key of it: never scored, and never
        /// read when keyMask drops it), full (every row sees every key: no mask code), or partial (masked lanes become
        /// -inf with vector compares).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RunRowGroups(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ReadOnlySpan<int> keyPrefix, in ScoreState score)
        {
            const int MaxRows = AttentionEngine.MaxRowTile;
            ref float packedStart = ref MemoryMarshal.GetReference(packedKeys);
            ref float queryStart = ref MemoryMarshal.GetReference(query);
            var keyValueRows = new FloatRows(key, value);
            int rows = TPath.RowTile;
            int groupsPerBlock = Math.Max(1, BlockRows / Math.Max(1, rows));
            Span<float> scores = AlignedScratch.View(stackalloc float[MaxRows * KeyBlock + AlignedScratch.PaddingFloats], MaxRows * KeyBlock);
            Span<float> corrections = stackalloc float[MaxRows];
            Span<int> rowBits = stackalloc int[MaxRows * (KeyBlock / BlockKeys)]; // per block of a tile, per row
            Span<int> blockGlobalLanes = stackalloc int[HasGlobals ? KeyBlock / BlockKeys : 0]; // per block of a tile, from pass 1
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
                        int scanStart = unionStart < unionEnd ? unionStart / BlockKeys * BlockKeys : 0;
                        int scanEnd = unionStart < unionEnd ? (int)Math.Min(keyCount, ((long)unionEnd + BlockKeys - 1) / BlockKeys * BlockKeys) : 0;
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
                            int blockCount = (tileKeys + BlockKeys - 1) / BlockKeys;

                            // Pass 1, each block's status: skipped (never scored, nor read when keyMask drops it; its lanes
                            // carry no weight), full, or partial for the static ranges and for the run-time masks.
                            for (int block = 0; block < blockCount; block++)
                            {
                                int blockOffset = block * BlockKeys, blockStart = tileStart + blockOffset;
                                int globalLanes = HasGlobals ? blockGlobalLanes[block] = GlobalLanes(blockStart) : 0;
                                bool inEveryRange = blockStart >= commonStart && blockStart <= commonEnd - BlockKeys;
                                bool outsideEveryRange = globalLanes == 0 && OutsideEveryRange(blockStart, rangeStarts.Slice(0, rows), rangeEnds.Slice(0, rows));

                                // Run-time masks: the lanes each row keeps (all 16 without them).
                                bool runtimeFull = true, runtimeEmpty = false;
                                if (runtimeMasked && !outsideEveryRange)
                                {
                                    RuntimeBits(keyMask, mask, maskStride, firstRow, rows, blockStart, Math.Min(BlockKeys, keyCount - blockStart), rowBits.Slice(block * MaxRows, rows),
                                        out runtimeFull, out runtimeEmpty);
                                }

                                tileMasked |= !inEveryRange || !runtimeFull;
                                if (outsideEveryRange || runtimeEmpty)
                                {
                                    for (int row = 0; row < rows; row++)
                                    {
                                        scores.Slice(row * KeyBlock + blockOffset, BlockKeys).Fill(float.NegativeInfinity);
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

                                int blockStart = tileStart + block * BlockKeys;
                                ref float packedBlock = ref Unsafe.Add(ref packedStart, (blockStart - packedFirstKey) * D);
                                if (TPath.RowTile == 8 && (scoredBlocks & (2 << block)) != 0)
                                {
                                    Vector512Tile<TPath>.ScoreTilePair(ref queryRows, ref packedBlock, scores.Slice(block * BlockKeys));
                                    block++;
                                }
                                else
                                {
                                    ScoreTile(ref queryRows, ref packedBlock, scores.Slice(block * BlockKeys));
                                }
                            }

                            // Pass 3, per scored block: the score transform, then masked lanes to -inf.
                            for (int block = 0; block < blockCount; block++)
                            {
                                if ((scoredBlocks & (1 << block)) == 0)
                                {
                                    continue;
                                }

                                int blockOffset = block * BlockKeys, blockStart = tileStart + blockOffset;
                                if (!TScore.IsIdentity)
                                {
                                    // Only the block's real keys: the last block may end past Nk.
                                    int lanes = Math.Min(BlockKeys, keyCount - blockStart);
                                    for (int row = 0; row < rows; row++)
                                    {
                                        TScore.Apply(scores.Slice(row * KeyBlock + blockOffset, lanes), firstRow + row, firstPosition + row, blockStart, score);
                                        if (TScore.MayHide && !tileMasked)
                                        {
                                            tileMasked = scores.Slice(row * KeyBlock + blockOffset, lanes).Contains(float.NegativeInfinity); // hidden by its bias
                                        }
                                    }
                                }

                                if ((partialBlocks & (1 << block)) != 0)
                                {
                                    // Partial block: lanes outside a row's range become -inf (vector compares).
                                    int globalLanes = HasGlobals ? blockGlobalLanes[block] : 0;
                                    for (int row = 0; row < rows; row++)
                                    {
                                        TileMask.Apply(scores.Slice(row * KeyBlock + blockOffset, BlockKeys), blockStart, rangeStarts[row], rangeEnds[row], globalLanes, visibleEnds[row]);
                                    }
                                }

                                if ((runtimePartialBlocks & (1 << block)) != 0)
                                {
                                    // Partial for the run-time masks: lanes a row does not keep become -inf.
                                    for (int row = 0; row < rows; row++)
                                    {
                                        TileMask.ApplyBits(scores.Slice(row * KeyBlock + blockOffset, BlockKeys), rowBits[block * MaxRows + row]);
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
                                AccumulateTile(accumulators, corrections, scores, ref MemoryMarshal.GetReference(tileValues), tileKeys);
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
                        // Global keys outside the scanned keys, row by row (a global row's range already covers all it sees).
                        for (int row = 0; row < rows; row++)
                        {
                            ref float queryVector = ref Unsafe.Add(ref queryRows, row * D);
                            Span<float> rowAccumulator = accumulators.Slice(row * D, D);
                            ReadOnlySpan<bool> rowMask = TMask.HasRuntimeMasks && !mask.IsEmpty ? mask.Slice((firstRow + row) * maskStride, keyCount) : default;
                            AccumulateGlobalKeys(0, Math.Min(scanStart, visibleEnds[row]), ref queryVector, ref keyValueRows, firstRow + row, firstPosition + row,
                                rowScores, keyIndices, rowAccumulator, ref runningMax[row], ref runningSum[row], keyMask, rowMask, score);
                            AccumulateGlobalKeys(Math.Max(scanEnd, scanStart), visibleEnds[row], ref queryVector, ref keyValueRows, firstRow + row, firstPosition + row,
                                rowScores, keyIndices, rowAccumulator, ref runningMax[row], ref runningSum[row], keyMask, rowMask, score);
                        }
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

        /// <summary>Scores of a tile: the engine's micro-kernel for the path's width (RowTile is a JIT-time constant).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores)
        {
            if (TPath.RowTile == 8)
            {
                Vector512Tile<TPath>.ScoreTile(ref queryRows, ref packedBlock, scores);
            }
            else if (TPath.RowTile == 4)
            {
                Vector256Tile<TPath>.ScoreTile(ref queryRows, ref packedBlock, scores);
            }
            else
            {
                Vector128Tile<TPath>.ScoreTile(ref queryRows, ref packedBlock, scores);
            }
        }

        /// <summary>P V of a tile: the engine's micro-kernel for the path's width.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount)
        {
            if (TPath.RowTile == 8)
            {
                Vector512Tile<TPath>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
            }
            else if (TPath.RowTile == 4)
            {
                Vector256Tile<TPath>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
            }
            else
            {
                Vector128Tile<TPath>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
            }
        }

        /// <summary>
        /// The run-time masks' lanes for a block of <paramref name="lanes"/> keys (bit t: key blockStart + t kept) per
        /// row: keyMask's lanes AND the row's mask lanes. <paramref name="full"/>: every row keeps all 16;
        /// <paramref name="empty"/>: no row keeps any.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RuntimeBits(ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, int firstRow, int rows, int blockStart, int lanes,
            Span<int> rowBits, out bool full, out bool empty)
        {
            const int AllLanes = (1 << BlockKeys) - 1;
            int keyBits = keyMask.IsEmpty ? AllLanes : DynamicMask.Bits(keyMask.Slice(blockStart, lanes));
            full = keyBits == AllLanes;
            empty = keyBits == 0;
            if (mask.IsEmpty || empty)
            {
                rowBits.Slice(0, rows).Fill(keyBits);
                return;
            }

            int any = 0;
            for (int row = 0; row < rows; row++)
            {
                int bits = keyBits & DynamicMask.Bits(mask.Slice((firstRow + row) * maskStride + blockStart, lanes));
                rowBits[row] = bits;
                any |= bits;
                full &= bits == AllLanes;
            }

            empty = any == 0;
        }

        /// <summary>
        /// Narrows a row's contiguous range to the span between the first and the last key its dense mask row keeps (one
        /// vectorised scan each way; a flag counts by truthiness), so runs of hidden keys at either end, such as the
        /// other documents of a block-diagonal mask, are never walked. Global keys outside the range are judged by the
        /// mask as before.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TightenToMask(ReadOnlySpan<bool> rowMask, ref int rangeStart, ref int rangeEnd)
        {
            ReadOnlySpan<bool> flags = rowMask.Slice(rangeStart, rangeEnd - rangeStart);
            int first = flags.IndexOfAnyExcept(false);
            // The last kept key is sought after the first, so the range cannot come out reversed if the caller's mask
            // changes between the two scans (it is read as values, never trusted for bounds).
            int last = first < 0 ? -1 : flags.Slice(first).LastIndexOfAnyExcept(false);
            if (last < 0)
            {
                rangeEnd = rangeStart; // the mask hides every key of the range
                return;
            }

            rangeEnd = rangeStart + first + last + 1;
            rangeStart += first;
        }

        /// <summary>Whether no row's range [start, end) meets the keys [blockStart, blockStart + 16).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool OutsideEveryRange(int blockStart, ReadOnlySpan<int> rangeStarts, ReadOnlySpan<int> rangeEnds)
        {
            for (int row = 0; row < rangeStarts.Length; row++)
            {
                if (rangeStarts[row] < rangeEnds[row] && rangeStarts[row] - BlockKeys < blockStart && blockStart < rangeEnds[row])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Bit t set when key blockStart + t is a global position.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int GlobalLanes(int blockStart)
        {
            ReadOnlySpan<int> globals = TMask.GlobalPositions;
            int next = globals.BinarySearch(blockStart);
            if (next < 0)
            {
                next = ~next;
            }

            int lanes = 0;
            for (; next < globals.Length && globals[next] - blockStart < BlockKeys; next++)
            {
                lanes |= 1 << (globals[next] - blockStart);
            }

            return lanes;
        }

        /// <summary>The caller's float key and value rows, read in place.</summary>
        private readonly ref struct FloatRows : IKeyValueRows
        {
            private readonly ref float _key;
            private readonly ref float _value;
            private readonly int _first;

            public FloatRows(ReadOnlySpan<float> key, ReadOnlySpan<float> value)
            {
                _key = ref MemoryMarshal.GetReference(key);
                _value = ref MemoryMarshal.GetReference(value);
            }

            /// <summary>Rows of a chunk copied out of a longer sequence: key index j is row j - <paramref name="first"/> of the spans.</summary>
            public FloatRows(ReadOnlySpan<float> key, ReadOnlySpan<float> value, int first)
                : this(key, value)
            {
                _first = first;
            }

            /// <summary>Float rows: the caller hands its float spans to the threads.</summary>
            public bool AccumulateLongRow(ReadOnlySpan<float> queryRow, int rangeStart, int rangeEnd, int row, int position, scoped Span<float> accumulator,
                out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
            {
                runningMax = float.NegativeInfinity;
                runningSum = 0f;
                return false;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void ScoreBlock(ref float queryVector, int start, scoped Span<float> scores) => TPath.ScoreBlock(ref queryVector, ref Unsafe.Add(ref _key, (start - _first) * D), scores);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void AccumulateBlock(scoped Span<float> accumulator, float correction, scoped ReadOnlySpan<float> weights, int start) =>
                TPath.AccumulateBlock(accumulator, correction, weights, ref Unsafe.Add(ref _value, (start - _first) * D));

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public ref float Values(int start, int count) => ref Unsafe.Add(ref _value, (start - _first) * D);
        }

        /// <summary>
        /// Key and value rows of any element type (float, f16, bf16) <c>stride</c> elements apart (d for [.., N, d] rows,
        /// H_kv x d for [B, N, H, d] rows), scored and accumulated straight from memory with exact widening in registers
        /// (split loads for bf16 and finite f16, see <see cref="SplitColumns"/>); Values widens a masked block into scratch
        /// for the careful path, and ScoreBlock widens a block of keys there when an f16 query cannot be scaled by 2^112.
        /// </summary>
        private readonly ref struct StridedRows<TElement> : IKeyValueRows
            where TElement : unmanaged
        {
            private readonly ReadOnlySpan<TElement> _key, _value;
            private readonly Span<float> _queryScratch, _valueScratch;
            private readonly int _stride;

            /// <param name="key">The key rows.</param>
            /// <param name="value">The value rows, laid out as the key rows.</param>
            /// <param name="stride">Elements from one row to the next (d, or H_kv x d).</param>
            /// <param name="queryScratch">At least d floats: the query row in <see cref="LoadPair"/>'s column order.</param>
            /// <param name="valueScratch">KeyBlock x d floats: a masked block's values widened for the careful path, or a block of
            /// keys widened by ScoreBlock's fallback (used and done with before the block's values).</param>
            public StridedRows(ReadOnlySpan<TElement> key, ReadOnlySpan<TElement> value, int stride, Span<float> queryScratch, Span<float> valueScratch)
            {
                _key = key;
                _value = value;
                _stride = stride;
                _queryScratch = queryScratch;
                _valueScratch = valueScratch;
            }

            /// <summary>
            /// A long row over 16-bit rows d apart: the same fixed chunks as the float path, on the worker threads, the spans
            /// handed over with their element type erased (<see cref="WidenedKeyChunks{TElement}"/> restores it); strided rows
            /// run their chunks on this thread.
            /// </summary>
            public bool AccumulateLongRow(ReadOnlySpan<float> queryRow, int rangeStart, int rangeEnd, int row, int position, scoped Span<float> accumulator,
                out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
            {
                int chunks = (int)(((long)rangeEnd - rangeStart + AttentionThreading.ChunkKeys - 1) / AttentionThreading.ChunkKeys);
                int length = chunks * (D + 2);
                float[] partials = ArrayPool<float>.Shared.Rent(length);
                try
                {
                    if (_stride == D)
                    {
                        AttentionThreading.ForKeyChunks<WidenedKeyChunks<TElement>>(queryRow, Erase(_key), Erase(_value), partials.AsSpan(0, length), rangeStart, rangeEnd,
                            AttentionThreading.ChunkKeys, row, position, keyMask, rowMask, score);
                    }
                    else
                    {
                        Span<float> scores = stackalloc float[KeyBlock];
                        StridedRows<TElement> self = this;
                        ChunkStates(ref MemoryMarshal.GetReference(queryRow), ref self, partials.AsSpan(0, length), rangeStart, rangeEnd, AttentionThreading.ChunkKeys, 0,
                            chunks, row, position, scores, keyMask, rowMask, score);
                    }

                    OnlineSoftmax.MergeChunks(partials.AsSpan(0, length), chunks, accumulator, out runningMax, out runningSum);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(partials);
                }

                return true;
            }

            /// <summary>How many of the rows first .. first + most - 1 (d elements each, _stride apart) lie wholly inside <paramref name="rows"/>.</summary>
            private int RowsFrom(ReadOnlySpan<TElement> rows, int first, int most) =>
                rows.Length < D ? 0 : (int)Math.Clamp((rows.Length - D) / _stride + 1L - first, 0, most);

            /// <summary>The 16-bit span as floats over the same bytes (rounded up), for the thread jobs' float-typed slots.</summary>
            private static ReadOnlySpan<float> Erase(ReadOnlySpan<TElement> span) =>
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TElement, float>(ref MemoryMarshal.GetReference(span)),
                    (int)(((long)span.Length * Unsafe.SizeOf<TElement>() + 3) / 4));

            /// <summary>
            /// Dot products straight from the key rows, widened in registers (no scratch round trip): four keys at a time, each
            /// with two sums (8 independent FMA chains, every query vector loaded once for 4 keys), the four keys' sums reduced
            /// together (<see cref="Sum4"/>); left-over keys one at a time.
            /// </summary>
            // A call, not inlined: a block's work (up to 64 keys x d columns) dwarfs a call, and inlined into the engine's
            // loops this body and AccumulateBlock's used up the JIT's inlining budget (at tier 1 the f16 decode's ChunkStates
            // called LoadPair per 16 columns, 30% slower past L3; AMD EPYC family 23). Optimized from the first call, as the
            // engine loops that call them.
            [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
            public void ScoreBlock(ref float queryVector, int start, scoped Span<float> scores)
            {
                if (Storage.FiniteHalfRows(_key, start * _stride, _stride, scores.Length, D))
                {
                    AsFinite().ScoreBlock(ref queryVector, start, scores); // f16 with no infinity or NaN: split loads, or the 4-operation widening
                    return;
                }

                ref TElement rows = ref Unsafe.Add(ref MemoryMarshal.GetReference(_key), start * _stride);
                int t = 0;
                if (Vector256.IsHardwareAccelerated && D >= 16)
                {
                    // Prefetch hints while the block is scored: the key rows of the block two blocks on (and the value columns
                    // past AccumulateBlock's 32-column strips, which prefetch the rest of the value rows, a strip's line per
                    // row), only rows that exist (no reference is formed past the spans). Measured on the AMD EPYC family 23
                    // (bf16 decode, 16384 keys, interleaved): this block's values and the next block's keys gave 1.24-1.44x
                    // float32's speed, two blocks on 1.58-1.64x, three or four on no more; without hints the key and value
                    // streams, 16 KiB each in turn, wait on memory and compute in turn. Spreading the value hints over the
                    // accumulation (one line per row and strip) instead of issuing them all here: 62-66% -> 67-74% of the
                    // read, 1.73-2.0x float32 (two sets of three interleaved rounds).
                    int aheadStart = start + 2 * scores.Length;
                    int aheadKeys = Sse.IsSupported ? RowsFrom(_key, aheadStart, scores.Length) : 0;
                    int aheadValues = Sse.IsSupported && StripColumns < D ? RowsFrom(_value, aheadStart, scores.Length) : 0;
                    ref TElement nextKeys = ref aheadKeys > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_key), (nint)aheadStart * _stride) : ref rows;
                    ref TElement valueRows = ref aheadValues > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), (nint)aheadStart * _stride) : ref rows;
                    int pairs = D / 16 * 16;
                    ref float query = ref queryVector;
                    if (SplitLoads && scores.Length >= 4)
                    {
                        // Paired loads give 16 columns as the even ones and the odd ones: the query in the same order (for
                        // finite f16 also times 2^112, see LoadPair). Only the 4-key loop below reads it.
                        query = ref MemoryMarshal.GetReference(_queryScratch);
                        if (!SplitColumns.DeinterleaveRow<TElement>(ref queryVector, ref query, D))
                        {
                            // A query element of magnitude 2^16 or more: 2^112 times it overflows. Widen the block, then score it.
                            Storage.WidenRows(MemoryMarshal.Cast<TElement, Half>(_key), start * _stride, _stride, scores.Length, D, _valueScratch); // only finite f16 gets here
                            TPath.ScoreBlock(ref queryVector, ref MemoryMarshal.GetReference(_valueScratch), scores);
                            return;
                        }
                    }

                    for (; t + 3 < scores.Length; t += 4)
                    {
                        if (Sse.IsSupported)
                        {
                            for (int p = 0; p < 4; p++)
                            {
                                if (t + p < aheadValues)
                                {
                                    PrefetchColumns(ref Unsafe.Add(ref valueRows, (nint)(t + p) * _stride), StripColumns, D);
                                }

                                if (t + p < aheadKeys)
                                {
                                    PrefetchRow(ref Unsafe.Add(ref nextKeys, (nint)(t + p) * _stride));
                                }
                            }
                        }

                        ref TElement k0 = ref Unsafe.Add(ref rows, t * _stride);
                        ref TElement k1 = ref Unsafe.Add(ref k0, _stride);
                        ref TElement k2 = ref Unsafe.Add(ref k1, _stride);
                        ref TElement k3 = ref Unsafe.Add(ref k2, _stride);
                        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
                        int c = 0;
                        for (; c < pairs; c += 16)
                        {
                            // Key by key (8 sums, 2 query vectors and 2 loaded ones stay within 16 registers).
                            Vector256<float> q = Vector256.LoadUnsafe(ref query, (nuint)c);
                            Vector256<float> r = Vector256.LoadUnsafe(ref query, (nuint)(c + 8));
                            LoadPair(ref k0, c, out Vector256<float> x, out Vector256<float> y);
                            a0 = Vector256.FusedMultiplyAdd(q, x, a0);
                            b0 = Vector256.FusedMultiplyAdd(r, y, b0);
                            LoadPair(ref k1, c, out x, out y);
                            a1 = Vector256.FusedMultiplyAdd(q, x, a1);
                            b1 = Vector256.FusedMultiplyAdd(r, y, b1);
                            LoadPair(ref k2, c, out x, out y);
                            a2 = Vector256.FusedMultiplyAdd(q, x, a2);
                            b2 = Vector256.FusedMultiplyAdd(r, y, b2);
                            LoadPair(ref k3, c, out x, out y);
                            a3 = Vector256.FusedMultiplyAdd(q, x, a3);
                            b3 = Vector256.FusedMultiplyAdd(r, y, b3);
                        }

                        if (D - c >= 8)
                        {
                            Vector256<float> q = Vector256.LoadUnsafe(ref queryVector, (nuint)c);
                            a0 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k0, c), a0);
                            a1 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k1, c), a1);
                            a2 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k2, c), a2);
                            a3 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k3, c), a3);
                            c += 8;
                        }

                        Vector128<float> dots = Sum4(a0 + b0, a1 + b1, a2 + b2, a3 + b3);
                        for (int r = c; r < D; r++)
                        {
                            float q = Unsafe.Add(ref queryVector, r);
                            dots += Vector128.Create(q * WidenOne(Unsafe.Add(ref k0, r)), q * WidenOne(Unsafe.Add(ref k1, r)), q * WidenOne(Unsafe.Add(ref k2, r)),
                                q * WidenOne(Unsafe.Add(ref k3, r)));
                        }

                        (dots * TPath.ScoreScale).StoreUnsafe(ref scores[t]);
                    }
                }

                for (; t < scores.Length; t++)
                {
                    ref TElement row = ref Unsafe.Add(ref rows, t * _stride);
                    int c = 0;
                    float dot = 0f;
                    if (Vector256.IsHardwareAccelerated && D >= 8)
                    {
                        Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero;
                        for (; c <= D - 16; c += 16)
                        {
                            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref queryVector, (nuint)c), LoadWidened256(ref row, c), s0);
                            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref queryVector, (nuint)(c + 8)), LoadWidened256(ref row, c + 8), s1);
                        }

                        for (; c <= D - 8; c += 8)
                        {
                            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref queryVector, (nuint)c), LoadWidened256(ref row, c), s0);
                        }

                        dot = Vector256.Sum(s0 + s1);
                    }

                    for (; c < D; c++)
                    {
                        dot += Unsafe.Add(ref queryVector, c) * WidenOne(Unsafe.Add(ref row, c));
                    }

                    scores[t] = dot * TPath.ScoreScale;
                }
            }

            /// <summary>
            /// acc = correction x acc + sum of weight x value row, straight from the 16-bit value rows: 32 columns at a time
            /// held in four registers while the block's rows stream past (each weight broadcast once per 32 columns).
            /// </summary>
            [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // a call, as ScoreBlock
            public void AccumulateBlock(scoped Span<float> accumulator, float correction, scoped ReadOnlySpan<float> weights, int start)
            {
                if (Storage.FiniteHalfRows(_value, start * _stride, _stride, weights.Length, D))
                {
                    AsFinite().AccumulateBlock(accumulator, correction, weights, start); // f16 with no infinity or NaN
                    return;
                }

                // The stride in a local and the row reached by a stepped offset: read through `this` in the loop, the JIT
                // reloaded the field and multiplied per key, twice the cycles per FMA under llvm-mca (bench/RESULTS.md).
                int stride = _stride;
                ref TElement rows = ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), start * stride);
                int aheadStart = start + 2 * weights.Length;
                int aheadValues = Sse.IsSupported && StripColumns > 0 ? RowsFrom(_value, aheadStart, weights.Length) : 0;
                ref TElement valueAhead = ref aheadValues > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), (nint)aheadStart * stride) : ref rows;
                ref float sums = ref MemoryMarshal.GetReference(accumulator);
                ReadOnlySpan<float> stripWeights = weights;
                if (SplitLoads && typeof(TElement) == typeof(FiniteHalf) && D >= 32)
                {
                    // LoadPair's f16 values are 2^-112 times the values: the strips take the weights times 2^112 (exact,
                    // weights <= 1), scaled once here rather than once per strip.
                    Debug.Assert(weights.Length <= KeyBlock, "blocks are at most KeyBlock keys");
                    Span<float> scaled = stackalloc float[KeyBlock];
                    SplitColumns.ScaleWeights(weights, scaled);
                    stripWeights = scaled.Slice(0, weights.Length);
                }

                int c = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; c <= D - 32; c += 32)
                    {
                        Vector256<float> s0 = Vector256.LoadUnsafe(ref sums, (nuint)c) * correction;
                        Vector256<float> s1 = Vector256.LoadUnsafe(ref sums, (nuint)(c + 8)) * correction;
                        Vector256<float> s2 = Vector256.LoadUnsafe(ref sums, (nuint)(c + 16)) * correction;
                        Vector256<float> s3 = Vector256.LoadUnsafe(ref sums, (nuint)(c + 24)) * correction;
                        if (SplitLoads)
                        {
                            (s0, s1) = SplitColumns.Deinterleave(s0, s1); // the paired loads' column order
                            (s2, s3) = SplitColumns.Deinterleave(s2, s3);
                        }

                        ref TElement column = ref Unsafe.Add(ref rows, c);
                        ref TElement aheadColumn = ref Unsafe.Add(ref valueAhead, c);
                        nint offset = 0; // stepped, not a bumped reference: that would end past the last row
                        for (int t = 0; t < weights.Length; t++, offset += stride)
                        {
                            if (t < aheadValues)
                            {
                                PrefetchColumns(ref Unsafe.Add(ref aheadColumn, offset), 0, 32); // this strip of the row two blocks on (see ScoreBlock)
                            }

                            ref TElement row = ref Unsafe.Add(ref column, offset);
                            Vector256<float> weight = Vector256.Create(stripWeights[t]);
                            LoadPair(ref row, 0, out Vector256<float> x0, out Vector256<float> x1);
                            LoadPair(ref row, 16, out Vector256<float> x2, out Vector256<float> x3);
                            s0 = Vector256.FusedMultiplyAdd(weight, x0, s0);
                            s1 = Vector256.FusedMultiplyAdd(weight, x1, s1);
                            s2 = Vector256.FusedMultiplyAdd(weight, x2, s2);
                            s3 = Vector256.FusedMultiplyAdd(weight, x3, s3);
                        }

                        if (SplitLoads)
                        {
                            (s0, s1) = SplitColumns.Interleave(s0, s1);
                            (s2, s3) = SplitColumns.Interleave(s2, s3);
                        }

                        s0.StoreUnsafe(ref sums, (nuint)c);
                        s1.StoreUnsafe(ref sums, (nuint)(c + 8));
                        s2.StoreUnsafe(ref sums, (nuint)(c + 16));
                        s3.StoreUnsafe(ref sums, (nuint)(c + 24));
                    }

                    for (; c <= D - 8; c += 8)
                    {
                        Vector256<float> s0 = Vector256.LoadUnsafe(ref sums, (nuint)c) * correction;
                        for (int t = 0; t < weights.Length; t++)
                        {
                            s0 = Vector256.FusedMultiplyAdd(Vector256.Create(weights[t]), LoadWidened256(ref Unsafe.Add(ref rows, t * stride + c), 0), s0);
                        }

                        s0.StoreUnsafe(ref sums, (nuint)c);
                    }
                }

                for (; c < D; c++)
                {
                    float sum = Unsafe.Add(ref sums, c) * correction;
                    for (int t = 0; t < weights.Length; t++)
                    {
                        sum += weights[t] * WidenOne(Unsafe.Add(ref rows, t * stride + c));
                    }

                    Unsafe.Add(ref sums, c) = sum;
                }
            }

            /// <summary>The same rows read as <see cref="FiniteHalf"/> (for f16 rows a caller has checked hold no infinity or NaN).</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private StridedRows<FiniteHalf> AsFinite() =>
                new(MemoryMarshal.Cast<TElement, FiniteHalf>(_key), MemoryMarshal.Cast<TElement, FiniteHalf>(_value), _stride, _queryScratch, _valueScratch);

            /// <summary>Columns AccumulateBlock takes in 32-column strips (and prefetches strip by strip); the rest, ScoreBlock prefetches.</summary>
            private static int StripColumns
            {
                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                get => Vector256.IsHardwareAccelerated ? D / 32 * 32 : 0;
            }

            /// <summary>Whether these rows are read with <see cref="SplitColumns"/> loads (bf16 and finite f16 with AVX2).</summary>
            private static bool SplitLoads
            {
                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                get => SplitColumns.Supported<TElement>();
            }

            /// <summary>
            /// 16 columns from <paramref name="row"/> + <paramref name="offset"/>, widened exactly: with <see cref="SplitLoads"/>
            /// the even columns in <paramref name="first"/> and the odd ones in <paramref name="second"/> (finite f16 as
            /// 2^-112 times its values, see <see cref="SplitColumns"/>), otherwise the first 8 and the next 8 in order.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private static void LoadPair(ref TElement row, int offset, out Vector256<float> first, out Vector256<float> second)
            {
                if (SplitLoads)
                {
                    SplitColumns.Load(ref Unsafe.Add(ref row, offset), out first, out second);
                }
                else
                {
                    first = LoadWidened256(ref row, offset);
                    second = LoadWidened256(ref row, offset + 8);
                }
            }

            /// <summary>8 values from <paramref name="row"/> + <paramref name="offset"/>, widened exactly.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private static Vector256<float> LoadWidened256(ref TElement row, int offset) => Widening.LoadWidened256(ref Unsafe.Add(ref row, offset));

            /// <summary>One value, widened exactly.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private static float WidenOne(TElement value) => Widening.Widen(value);

            public ref float Values(int start, int count)
            {
                // The careful path of a masked block: AccumulateBlock, which prefetches the value rows two blocks on, is not
                // called for this block, so the hints are given here.
                int aheadStart = start + 2 * count;
                int ahead = Sse.IsSupported ? RowsFrom(_value, aheadStart, count) : 0;
                for (int t = 0; t < ahead; t++)
                {
                    PrefetchRow(ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), (nint)(aheadStart + t) * _stride));
                }

                Storage.WidenRows(_value, start * _stride, _stride, count, D, _valueScratch);
                return ref MemoryMarshal.GetReference(_valueScratch);
            }
        }
    }
}
