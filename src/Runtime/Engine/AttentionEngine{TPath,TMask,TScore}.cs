using System;
using System.Buffers;
using System.ComponentModel;
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
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class AttentionEngine<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// Whether the mask's global positions are sorted, unique and non-negative, as the loops that index key rows by them
        /// assume (the generator emits them so); read once per kernel, a JIT-time constant after.
        /// </summary>
        /// <summary>The head dimension d, a JIT-time constant.</summary>
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        private static readonly bool s_globalPositionsValid = EngineBounds.SortedNonNegative(TMask.GlobalPositions);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CheckGlobalPositions()
        {
            if (EngineStage<TPath, TMask, TScore>.HasGlobals && !s_globalPositionsValid)
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
                    OverflowRows<TPath, TMask, TScore>.Repair(OverflowRows<TPath, TMask, TScore>.OneHead(query, key, value, output, logSumExp, masks, in state));
                }
            }
        }

        /// <summary>
        /// Computes every row of one head whose query, keys and values and output may each be float, <see cref="Half"/> or
        /// <see cref="BFloat16"/> (keys and values of one type). Inputs are widened exactly; arithmetic is float32; a
        /// 16-bit output is rounded to nearest even once, at the end. Float spans take the float path unchanged.
        /// </summary>
        /// <remarks>
        /// 16-bit keys and values: with at least <see cref="EngineStage{TPath, TMask, TScore}.MinWidenedRows"/> query rows (a prefill) they are widened once
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
            ElementEntry<TPath, TMask, TScore>.Compute(query, key, value, output, logSumExp, masks, scores);
        }

        internal static void Compute(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
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
                logSumExp.Fill(EngineStage<TPath, TMask, TScore>.EmptyRowLogSumExp(score));
                return;
            }

            ReadOnlySpan<bool> keyMask = TMask.HasRuntimeMasks ? masks.KeyMask : default;
            ReadOnlySpan<bool> mask = TMask.HasRuntimeMasks ? masks.Mask : default;
            // keyMask alone, and enough query rows to pay for gathering the kept keys (a decode step would copy 2 Nk d
            // floats to read them once: it uses the per-block bits instead), and a transform that needs no original key
            // index (the kept keys are renumbered).
            if (TMask.HasRuntimeMasks && !EngineStage<TPath, TMask, TScore>.HasGlobals && TScore.IsIdentity && !keyMask.IsEmpty && mask.IsEmpty && queryCount >= KeyCompaction<TPath, TMask, TScore>.MinCompactedRows
                && keyCount < int.MaxValue) // its prefix holds keyCount + 1 entries
            {
                KeyCompaction<TPath, TMask, TScore>.ComputeCompacted(query, key, value, output, logSumExp, keyMask, queryCount, keyCount, score);
                return;
            }

            Run(query, key, value, output, logSumExp, keyMask, mask, masks.MaskStride, default, queryCount, keyCount, score);
        }

        /// <summary>
        /// The loops over <paramref name="keyCount"/> keys: tiles for whole row groups, then single rows. With a
        /// <paramref name="keyPrefix"/> the keys are the kept ones of a larger set, whose count is keyPrefix.Length - 1.
        /// </summary>
        internal static void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ReadOnlySpan<int> keyPrefix, int queryCount, int keyCount, in ScoreState score)
        {
            if (keyCount == 0)
            {
                output.Slice(0, queryCount * D).Clear(); // every key dropped: every row is zeros, log-sum-exp -inf (the sink with one).
                logSumExp.Fill(EngineStage<TPath, TMask, TScore>.EmptyRowLogSumExp(score));
                return;
            }

            // Work per row for the thread heuristics: the widest key range a row can have.
            long rangeWidth = TMask.HasWindow ? Math.Min(keyCount, (long)TMask.WindowLeft + TMask.WindowRight + 1) : keyCount;
            var arguments = new RowRangeArguments
            {
                Query = query,
                Key = key,
                Value = value,
                Output = output,
                LogSumExp = logSumExp,
                QueryCount = queryCount,
                KeyCount = keyCount,
                KeyMask = keyMask,
                Mask = mask,
                MaskStride = maskStride,
                KeyPrefix = keyPrefix,
                Score = score,
            };

            // Tile loop: whole groups of TPath.RowTile rows share each packed key block (a path with RowTile 0 has none).
            int groupedRows = TPath.RowTile == 0 ? 0 : queryCount / TPath.RowTile * TPath.RowTile;
            if (groupedRows > 0 && !TileLoop<TPath, TMask, TScore>.RunPacked(arguments, keyPrefix, groupedRows, (long)groupedRows * rangeWidth * D))
            {
                groupedRows = 0; // too many keys to pack: every row takes the one-row path below
            }

            // Rows left over (fewer than a group, e.g. a decode step), or every row on a path without tiles: one at a time
            // over exactly their key range.
            if (groupedRows < queryCount)
            {
                AttentionThreading.ForRowGroups<RowLoop<TPath, TMask, TScore>.SingleRows>(arguments, groupedRows, queryCount, 1, (long)(queryCount - groupedRows) * rangeWidth * D);
            }
        }

        /// <summary>
        /// Computes one head group of a batched call (lengths already checked): every query head of
        /// <paramref name="group"/> against its one key/value head, reading every span in place through its strides.
        /// </summary>
        /// <remarks>
        /// <para>Decode (fewer than <see cref="EngineStage{TPath, TMask, TScore}.MinWidenedRows"/> query rows): the heads are computed together, one chunk of
        /// <see cref="EngineStage{TPath, TMask, TScore}.TileChunkKeys"/> keys at a time, each head's online-softmax state carried across chunks; so the
        /// cache is read from memory once per key/value head, not once per query head (grouped-query attention). Float
        /// rows d apart are read in place by the path's micro-kernels; 16-bit or strided ([B, N, H, d]) rows are widened
        /// (copied) once per chunk into L2-resident scratch when several heads share them, and read in place, widened in
        /// registers, by a lone head.</para>
        /// <para>Prefill: each head runs the full engine (tiles, threads) on float rows: in place when the spans are float
        /// with rows d apart, otherwise the key/value head is widened (gathered) once for the group and each head's query
        /// rows once, O((Nq + Nk) d) against the call's O(Nq Nk d). A lone float head of contiguous rows takes this route
        /// at any row count, so a long decode row is still split over the threads.</para>
        /// </remarks>
        internal static void ComputeGroup<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group)
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
            bool decode = group.QueryCount < EngineStage<TPath, TMask, TScore>.MinWidenedRows;
            if (decode && Vector256.IsHardwareAccelerated && D >= 8 && perGroup % 2 == 0)
            {
                TiledDecode<TPath, TMask, TScore>.TiledDecodeGroup(group, keyValueHeads, floatRows);
                return;
            }

            for (int keyHead = 0; keyHead < keyValueHeads; keyHead++)
            {
                HeadGroup<TQuery, TKeyValue, TOutput> one = HeadPrefill<TPath, TMask, TScore>.OneKeyValueHead(group, keyHead, perGroup);
                if (decode && (perGroup > 1 || !floatRows))
                {
                    GroupDecode<TPath, TMask, TScore>.DecodeGroup(one, floatRows);
                }
                else
                {
                    HeadPrefill<TPath, TMask, TScore>.ComputeHeads(one, floatRows);
                }
            }
        }
    }
}
