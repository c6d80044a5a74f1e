using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Engine;

namespace KernelGen.Engine
{
    /// <summary>
    /// Batched multi-head attention on top of a generated single-head kernel: validation, grouped-query head mapping,
    /// padding (per-item key and query lengths), layouts, and threads over (batch item, key/value head) pairs.
    /// </summary>
    /// <remarks>
    /// Item b with key length Lk and query length Lq is exactly the single-head problem of its first Lq queries against
    /// its first Lk keys: query i sits at p(i) = i + Lk - Lq, so causal, window and global positions count in valid
    /// tokens. Padding rows (i &gt;= Lq) are written as zeros, and padding keys are never read, so a call costs time in
    /// proportion to the real tokens. Each (item, key/value head) is one kernel call with the query heads that read it
    /// (a <see cref="HeadGroup{TQuery, TKeyValue, TOutput}"/>), in either layout through row strides: a decode step reads
    /// the cache where it lies, each key/value head once for its whole group of query heads; a prefill over strided or
    /// 16-bit rows widens each key/value head once into pooled float rows for the tiles (O(Nk d) of O(Nq Nk d)).
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static partial class BatchedAttention
    {
        /// <summary>
        /// Computes every (batch item, head) of a call <see cref="Validate"/> checked against <paramref name="info"/>, in the
        /// engine specialised for the kernel's path (the vector width the generated method picked), mask and score transform, on up to <see cref="AttentionThreading.MaxDegreeOfParallelism"/> threads. Each
        /// output row is written by one kernel call in a fixed order, so the result does not depend on the thread count.
        /// </summary>
        public static void Run<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, BatchedShape shape, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TPath : struct, IHeadDimensionPath
            where TMask : struct, IAttentionMask
            where TScore : struct, IScoreTransform
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            ArgumentNullException.ThrowIfNull(info);
            CheckShape(info, shape, arguments);
            if (shape.Batch == 0 || shape.QueryCount == 0)
            {
                return; // no query row: nothing to write whatever the batch count (output and log-sum-exp are empty)
            }

            // Every length and offset the run uses, read once (see BatchItems): on the stack for up to 64 items, else pooled,
            // so nothing is allocated per call.
            const int StackItems = 64;
            ItemRows[]? rented = shape.Batch > StackItems ? ArrayPool<ItemRows>.Shared.Rent(shape.Batch) : null;
            try
            {
                Span<ItemRows> items = rented is null ? stackalloc ItemRows[StackItems] : rented;
                items = items.Slice(0, shape.Batch);
                BatchItems.Capture(info, shape, arguments, items);
                long work = 0;
                int maxQueries = 0;
                foreach (ItemRows rows in items)
                {
                    work += (long)rows.Queries * rows.Keys * shape.HeadDimension * shape.Heads;
                    maxQueries = Math.Max(maxQueries, rows.Queries);
                }

                var groups = new HeadGroupArguments<TQuery, TKeyValue, TOutput>
                {
                    Call = arguments,
                    Items = items,
                    StandardSlopes = info.StandardSlopes,
                    Shape = shape,
                    KeyHeadsPerCall = KeyValueHeadsPerCall(shape, maxQueries),
                };
                AttentionThreading.ForHeadGroups<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(groups, work);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<ItemRows>.Shared.Return(rented);
                }
            }
        }

        /// <summary>
        /// The shape <see cref="Run"/> is given must be the one <see cref="Validate"/> derives for these spans: the kernel's
        /// layout and head counts, and span lengths equal to the shape's products (computed in 64 bits). A caller that
        /// passes another shape gets an <see cref="ArgumentException"/>, never a read or write outside the spans.
        /// </summary>
        private static void CheckShape<TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, BatchedShape shape, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            long queryRows = shape.Packed ? shape.QueryCount : (long)shape.Batch * shape.QueryCount;
            long keyRows = shape.Packed ? shape.KeyCount : (long)shape.Batch * shape.KeyCount;
            bool matches = shape.Layout == info.Layout && shape.HeadDimension == info.HeadDimension && shape.Heads == info.Heads
                && shape.KeyValueHeads == info.KeyValueHeads && shape.Packed == info.Packed && shape.Batch == arguments.Batch
                && shape.Batch >= 0 && shape.QueryCount >= 0 && shape.KeyCount >= 0
                && arguments.Query.Length == queryRows * shape.Heads * shape.HeadDimension
                && arguments.Output.Length == arguments.Query.Length
                && arguments.Key.Length == keyRows * shape.KeyValueHeads * shape.HeadDimension
                && arguments.Value.Length == arguments.Key.Length
                && (arguments.LogSumExp.IsEmpty || arguments.LogSumExp.Length == queryRows * shape.Heads)
                && (arguments.KeyMask.IsEmpty || arguments.KeyMask.Length == keyRows)
                && (arguments.Mask.IsEmpty || arguments.Mask.Length == (long)shape.QueryCount * shape.KeyCount
                    || arguments.Mask.Length == (long)shape.Batch * shape.QueryCount * shape.KeyCount);
            if (!matches)
            {
                throw new ArgumentException("The shape does not match the call's spans; pass the shape BatchedAttention.Validate returned for them.", nameof(shape));
            }
        }

        /// <summary>
        /// Key/value heads per kernel call. 1, except for a decode step (fewer than 4 query rows per item) over [B, N, H, d]:
        /// there a token's key/value heads share a few kilobytes of memory, and a call per head would visit every token's
        /// page once per head, at about half the read bandwidth of [B, H, N, d] (bench/RESULTS.md, "Figures moved here from code comments"). So a call takes the
        /// largest number of consecutive heads that still leaves a call per thread.
        /// </summary>
        private static int KeyValueHeadsPerCall(BatchedShape shape, int maxQueries)
        {
            if (shape.Layout != AttentionLayout.BatchSeqHeadDim || maxQueries >= 4)
            {
                return 1;
            }

            long calls = Math.Min(Math.Min(AttentionThreading.MaxDegreeOfParallelism, Environment.ProcessorCount), (long)shape.Batch * shape.KeyValueHeads);
            for (int perCall = shape.KeyValueHeads; perCall > 1; perCall--)
            {
                if (shape.KeyValueHeads % perCall == 0 && (long)shape.Batch * (shape.KeyValueHeads / perCall) >= calls)
                {
                    return perCall;
                }
            }

            return 1;
        }

        /// <summary>
        /// The log-sum-exp entries of (item, head)'s <paramref name="rows"/> valid rows ([B, H, Nq], or [H, total] when
        /// packed); the item's padding rows are set to negative infinity here. Empty when the kernel returns none.
        /// </summary>
        private static Span<float> LogSumExpRows(BatchedShape shape, Span<float> logSumExp, int item, int head, int firstRow, int rows)
        {
            if (logSumExp.IsEmpty)
            {
                return Span<float>.Empty;
            }

            if (shape.Packed)
            {
                return logSumExp.Slice(head * shape.QueryCount + firstRow, rows);
            }

            Span<float> all = logSumExp.Slice((item * shape.Heads + head) * shape.QueryCount, shape.QueryCount);
            all.Slice(rows).Fill(float.NegativeInfinity);
            return all.Slice(0, rows);
        }

        /// <summary>
        /// Query head <paramref name="head"/> of item <paramref name="item"/>'s score inputs: the call's scale, its ALiBi
        /// slope (the call's [H] or [B, H] slopes, else the standard ones), its bias slab ([Nq, Nk] rows of stride Nk: the
        /// shared one, the item's, or the item's head's) and its sink.
        /// </summary>
        private static ScoreArguments HeadScores<TQuery, TKeyValue, TOutput>(BatchedShape shape, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments, ReadOnlySpan<float> standardSlopes, int item, int head)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            ReadOnlySpan<float> slopes = arguments.AlibiSlopes;
            float slope = slopes.Length == shape.Heads ? slopes[head] : !slopes.IsEmpty ? slopes[item * shape.Heads + head]
                : standardSlopes.IsEmpty ? 0f : standardSlopes[head];
            ReadOnlySpan<float> bias = arguments.Bias;
            long area = (long)shape.QueryCount * shape.KeyCount; // validated: the bias holds 1, B or B x H of these
            if (!bias.IsEmpty)
            {
                long start = bias.Length == area ? 0 : bias.Length == shape.Batch * area ? item * area : ((long)item * shape.Heads + head) * area;
                bias = bias.Slice((int)start, (int)area);
            }

            return new ScoreArguments
            {
                Scale = arguments.Scale,
                AlibiSlope = slope,
                Bias = bias,
                BiasStride = shape.KeyCount,
                HasSink = !arguments.Sinks.IsEmpty,
                Sink = arguments.Sinks.IsEmpty ? 0f : arguments.Sinks[head],
            };
        }

        /// <summary>
        /// Computes claim <paramref name="claim"/> of <paramref name="groups"/>: key/value heads [first, first + KeyHeadsPerCall)
        /// of batch item claim / (KeyValueHeads / KeyHeadsPerCall), with the query heads that read them, in one engine call that
        /// reads every span in place through its strides (see <see cref="HeadGroup{TQuery, TKeyValue, TOutput}"/>).
        /// </summary>
        internal static unsafe void RunGroup<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(scoped in HeadGroupArguments<TQuery, TKeyValue, TOutput> groups, int claim)
            where TPath : struct, IHeadDimensionPath
            where TMask : struct, IAttentionMask
            where TScore : struct, IScoreTransform
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            BatchedShape shape = groups.Shape;
            int keyHeadsPerCall = groups.KeyHeadsPerCall;
            ReadOnlySpan<ItemRows> items = groups.Items;
            ReadOnlySpan<float> standardSlopes = groups.StandardSlopes;
            BatchedArguments<TQuery, TKeyValue, TOutput> arguments = groups.Call;
            int d = shape.HeadDimension;
            int callsPerItem = shape.KeyValueHeads / keyHeadsPerCall;
            int item = claim / callsPerItem;
            int keyHead = claim % callsPerItem * keyHeadsPerCall;
            int perGroup = shape.Heads / shape.KeyValueHeads * keyHeadsPerCall; // the call's query heads
            int firstHead = keyHead * (shape.Heads / shape.KeyValueHeads);
            (int lq, int lk, int firstRow, int firstKey) = items[item];

            // The item's run-time masks: its keys' flags, and its [Nq, Nk] mask rows (one shared [Nq, Nk] mask, or its own).
            ReadOnlySpan<bool> keyMask = arguments.KeyMask, mask = arguments.Mask;
            ReadOnlySpan<bool> itemKeyMask = keyMask.IsEmpty ? default : keyMask.Slice(item * shape.KeyCount, lk);
            long maskArea = (long)shape.QueryCount * shape.KeyCount; // validated: the mask holds B or 1 of these
            ReadOnlySpan<bool> itemMask = mask.IsEmpty ? default : mask.Length == maskArea ? mask : mask.Slice((int)(item * maskArea), (int)maskArea);

            // Rows are addressed as (rowItem, head, firstRow + n): a packed item is rows firstRow.. of one long sequence.
            int rowItem = shape.Packed ? 0 : item;
            int rowCount = shape.Packed ? lq : shape.QueryCount;
            bool seqMajor = shape.Layout == AttentionLayout.BatchSeqHeadDim;

            // Padding query rows (n >= lq) are zeros, log-sum-exp -inf; the valid ones are the kernel's.
            Span<float> logSumExp = arguments.LogSumExp;
            for (int g = 0; g < perGroup; g++)
            {
                LogSumExpRows(shape, logSumExp, item, firstHead + g, firstRow, lq);
                for (int n = lq; n < rowCount; n++)
                {
                    arguments.Output.Slice(shape.RowOffset(rowItem, firstHead + g, firstRow + n, shape.Heads, shape.QueryCount), d).Clear();
                }
            }

            if (lq == 0)
            {
                return;
            }

            // The group's first query row and first key row (no key row when the item has none: [B, N, H, d] offsets of
            // later heads would then point past an empty span).
            int queryOffset = shape.RowOffset(rowItem, firstHead, firstRow, shape.Heads, shape.QueryCount);
            int keyOffset = lk == 0 ? 0 : shape.RowOffset(rowItem, keyHead, firstKey, shape.KeyValueHeads, shape.KeyCount);

            // Each query head's score inputs, with its bias slab pinned for the call.
            Span<ScoreState> states = perGroup <= 128 ? stackalloc ScoreState[perGroup] : new ScoreState[perGroup];
            fixed (float* bias = arguments.Bias)
            {
                for (int g = 0; g < perGroup; g++)
                {
                    ScoreArguments scores = HeadScores(shape, arguments, standardSlopes, item, firstHead + g);
                    float* slab = scores.Bias.IsEmpty ? null : (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(scores.Bias)); // inside the pinned bias
                    states[g] = new ScoreState(scores.Scale, scores.AlibiSlope, scores.Sink, slab, scores.Bias.Length, scores.BiasStride);
                }

                int logSumExpStart = shape.Packed ? firstHead * shape.QueryCount + firstRow : (item * shape.Heads + firstHead) * shape.QueryCount;
                var headGroup = new HeadGroup<TQuery, TKeyValue, TOutput>
                {
                    Query = arguments.Query.Slice(queryOffset),
                    Output = arguments.Output.Slice(queryOffset),
                    QueryRowStride = seqMajor ? shape.Heads * d : d,
                    QueryHeadStride = seqMajor ? d : shape.QueryCount * d,
                    Key = lk == 0 ? default : arguments.Key.Slice(keyOffset),
                    Value = lk == 0 ? default : arguments.Value.Slice(keyOffset),
                    KeyRowStride = seqMajor ? shape.KeyValueHeads * d : d,
                    KeyValueHeads = keyHeadsPerCall,
                    KeyHeadStride = seqMajor ? d : shape.KeyCount * d,
                    Heads = perGroup,
                    QueryCount = lq,
                    KeyCount = lk,
                    LogSumExp = logSumExp.IsEmpty ? default : logSumExp.Slice(logSumExpStart),
                    LogSumExpHeadStride = shape.QueryCount, // [B, H, Nq] or packed [H, total]
                    Masks = new RuntimeMasks(itemKeyMask, itemMask, shape.KeyCount),
                    Scores = states,
                };
                AttentionEngine<TPath, TMask, TScore>.ComputeGroup(headGroup);
            }
        }
    }
}
