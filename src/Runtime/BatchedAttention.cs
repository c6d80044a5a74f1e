using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Engine;

namespace KernelGen
{
    /// <summary>The shape of one batched multi-head call, as <see cref="BatchedAttention.Validate"/> derives it.</summary>
    public readonly struct BatchedShape
    {
        /// <summary>A shape from its parts (no validation; <see cref="BatchedAttention.Validate"/> derives checked ones).</summary>
        public BatchedShape(AttentionLayout layout, int headDimension, int heads, int keyValueHeads, int batch, int queryCount, int keyCount, bool packed = false)
        {
            Packed = packed;
            Layout = layout;
            HeadDimension = headDimension;
            Heads = heads;
            KeyValueHeads = keyValueHeads;
            Batch = batch;
            QueryCount = queryCount;
            KeyCount = keyCount;
        }

        /// <summary>
        /// Whether the items are packed back to back ([total, H, d], item b at rows sequenceStarts[b] ..
        /// sequenceStarts[b + 1]); <see cref="QueryCount"/> and <see cref="KeyCount"/> are then the total row count.
        /// </summary>
        public bool Packed { get; }

        /// <summary>How the spans are laid out.</summary>
        public AttentionLayout Layout { get; }

        /// <summary>d, floats per row.</summary>
        public int HeadDimension { get; }

        /// <summary>H, the query (and output) heads.</summary>
        public int Heads { get; }

        /// <summary>The key and value heads; query head h reads key/value head h / (Heads / KeyValueHeads).</summary>
        public int KeyValueHeads { get; }

        /// <summary>B, the batch items.</summary>
        public int Batch { get; }

        /// <summary>Nq, the query positions per batch item (padding included).</summary>
        public int QueryCount { get; }

        /// <summary>Nk, the key positions per batch item (padding included).</summary>
        public int KeyCount { get; }

        /// <summary>The offset of row <paramref name="position"/> of head <paramref name="head"/> of item <paramref name="item"/> in a span of <paramref name="heads"/> heads and <paramref name="positions"/> positions.</summary>
        /// <remarks>Computed in 64 bits; an offset past int.MaxValue (never one inside a validated span) throws <see cref="OverflowException"/>.</remarks>
        public int RowOffset(int item, int head, int position, int heads, int positions) => checked((int)(Layout == AttentionLayout.BatchHeadSeqDim
            ? (((long)item * heads + head) * positions + position) * HeadDimension
            : (((long)item * positions + position) * heads + head) * HeadDimension));
    }

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
    public static class BatchedAttention
    {
        /// <summary>
        /// Checks every length of a batched call against its kernel before anything is written and derives the shape.
        /// Throws <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>) naming the offending
        /// parameter as <paramref name="info"/> spells it; a run-time span the kernel does not declare must be empty.
        /// </summary>
        public static BatchedShape Validate<TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            ArgumentNullException.ThrowIfNull(info);
            CheckUndeclared(info, RuntimeParameter.KeyLengths, arguments.KeyLengths.IsEmpty, info.KeyLengthsName);
            CheckUndeclared(info, RuntimeParameter.QueryLengths, arguments.QueryLengths.IsEmpty, info.QueryLengthsName);
            CheckUndeclared(info, RuntimeParameter.SequenceStarts, arguments.SequenceStarts.IsEmpty, info.SequenceStartsName);
            CheckUndeclared(info, RuntimeParameter.LogSumExp, arguments.LogSumExp.IsEmpty, info.LogSumExpName);
            CheckUndeclared(info, RuntimeParameter.KeyMask, arguments.KeyMask.IsEmpty, info.KeyMaskName);
            CheckUndeclared(info, RuntimeParameter.Mask, arguments.Mask.IsEmpty, info.MaskName);
            CheckUndeclared(info, RuntimeParameter.QuerySequenceStarts, arguments.QuerySequenceStarts.IsEmpty, info.QuerySequenceStartsName);
            CheckUndeclared(info, RuntimeParameter.KeySequenceStarts, arguments.KeySequenceStarts.IsEmpty, info.KeySequenceStartsName);
            CheckUndeclared(info, RuntimeParameter.Scale, arguments.Scale == 0f, info.ScaleName);
            CheckUndeclared(info, RuntimeParameter.AlibiSlopes, arguments.AlibiSlopes.IsEmpty, info.AlibiSlopesName);
            CheckUndeclared(info, RuntimeParameter.Bias, arguments.Bias.IsEmpty, info.BiasName);
            CheckUndeclared(info, RuntimeParameter.Sinks, arguments.Sinks.IsEmpty, info.SinksName);

            BatchedAliasing.Refuse(info, arguments);

            bool hasKeyMask = info.Declares(RuntimeParameter.KeyMask);
            bool hasMask = info.Declares(RuntimeParameter.Mask);
            if (info.Packed && (hasKeyMask || hasMask))
            {
                throw new ArgumentException("Packed sequences take no keyMask or mask.", hasKeyMask ? info.KeyMaskName : info.MaskName);
            }

            if (info.Declares(RuntimeParameter.QuerySequenceStarts) != info.Declares(RuntimeParameter.KeySequenceStarts))
            {
                string missing = info.Declares(RuntimeParameter.QuerySequenceStarts) ? info.KeySequenceStartsName : info.QuerySequenceStartsName;
                throw new ArgumentException($"querySequenceStarts and keySequenceStarts come together; the kernel lacks {missing}.", missing);
            }

            if (info.Packed && info.Declares(RuntimeParameter.Bias))
            {
                throw new ArgumentException("Packed sequences take no bias.", info.BiasName);
            }

            if (info.Declares(RuntimeParameter.Scale))
            {
                AttentionGuard.ValidateScale(arguments.Scale, info.ScaleName);
            }

            if (info.Declares(RuntimeParameter.AlibiSlopes) && !info.Alibi)
            {
                throw new ArgumentException($"{info.AlibiSlopesName} needs a kernel with [Alibi].", info.AlibiSlopesName);
            }

            BatchedShape checkedShape = ValidateSpans(info, arguments);
            if (info.Declares(RuntimeParameter.LogSumExp))
            {
                Span<float> logSumExp = arguments.LogSumExp;
                string logSumExpName = info.LogSumExpName;
                long rows = (long)checkedShape.Heads * (checkedShape.Packed ? checkedShape.QueryCount : (long)checkedShape.Batch * checkedShape.QueryCount);
                if (logSumExp.Length != rows)
                {
                    throw new ArgumentException(
                        $"The {logSumExpName} length {logSumExp.Length} must be {rows}: one value per query row and head ({(checkedShape.Packed ? "[H, total]" : "[B, H, Nq]")}).", logSumExpName);
                }
            }

            long keys = (long)checkedShape.Batch * checkedShape.KeyCount;
            if (hasKeyMask && arguments.KeyMask.Length != keys)
            {
                throw new ArgumentException($"The {info.KeyMaskName} length {arguments.KeyMask.Length} must be {keys}: one flag per key of each item ([B, Nk]).", info.KeyMaskName);
            }

            long perItem = (long)checkedShape.QueryCount * checkedShape.KeyCount;
            if (hasMask && arguments.Mask.Length != perItem && arguments.Mask.Length != checkedShape.Batch * perItem)
            {
                throw new ArgumentException(
                    $"The {info.MaskName} length {arguments.Mask.Length} must be {checkedShape.Batch * perItem} ([B, Nq, Nk]) or {perItem} ([Nq, Nk], the same for every item).", info.MaskName);
            }

            ValidateScoreInputs(info, arguments, checkedShape);
            return checkedShape;
        }

        /// <summary>The score inputs: ALiBi slopes, bias and sinks, their lengths and values, and that output shares no memory with them.</summary>
        private static void ValidateScoreInputs<TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments, BatchedShape shape)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int heads = shape.Heads, batch = shape.Batch;
            if (info.Declares(RuntimeParameter.AlibiSlopes) && !arguments.AlibiSlopes.IsEmpty)
            {
                // Empty keeps the standard slopes; otherwise one per query head, or one per item and query head.
                ReadOnlySpan<float> slopes = arguments.AlibiSlopes;
                if (slopes.Length != heads && slopes.Length != (long)batch * heads)
                {
                    throw new ArgumentException(
                        $"The {info.AlibiSlopesName} length {slopes.Length} must be {heads} ([H], one slope per query head), {(long)batch * heads} ([B, H]) or 0 (the standard slopes).", info.AlibiSlopesName);
                }

                CheckFinite(slopes, info.AlibiSlopesName, "slope");
            }

            if (info.Declares(RuntimeParameter.Sinks))
            {
                ReadOnlySpan<float> sinks = arguments.Sinks;
                if (sinks.Length != heads)
                {
                    throw new ArgumentException($"The {info.SinksName} length {sinks.Length} must be {heads}: one sink logit per query head ([H]).", info.SinksName);
                }

                CheckFinite(sinks, info.SinksName, "sink logit");
            }

            if (info.Declares(RuntimeParameter.Bias))
            {
                ReadOnlySpan<float> bias = arguments.Bias;
                long area = (long)shape.QueryCount * shape.KeyCount;
                if (bias.Length != area && bias.Length != batch * area && bias.Length != (long)batch * heads * area)
                {
                    throw new ArgumentException(
                        $"The {info.BiasName} length {bias.Length} must be {area} ([Nq, Nk]), {batch * area} ([B, Nq, Nk]) or {(long)batch * heads * area} ([B, H, Nq, Nk]).", info.BiasName);
                }

            }
        }

        private static void CheckFinite(ReadOnlySpan<float> values, string name, string what)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    throw new ArgumentException($"{name}[{i}] = {values[i]} is not a finite {what}.", name);
                }
            }
        }

        /// <summary>A run-time span the kernel does not declare must be empty: nothing would check its length.</summary>
        private static void CheckUndeclared(BatchedKernelInfo info, RuntimeParameter parameter, bool isEmpty, string name)
        {
            if (!isEmpty && !info.Declares(parameter))
            {
                throw new ArgumentException($"The kernel declares no {name} parameter; {name} must be empty.", name);
            }
        }

        /// <summary>The spans and the length arguments (everything but log-sum-exp and the masks).</summary>
        private static BatchedShape ValidateSpans<TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            AttentionLayout layout = info.Layout;
            int headDimension = info.HeadDimension, heads = info.Heads, keyValueHeads = info.KeyValueHeads, batch = arguments.Batch;
            ReadOnlySpan<TQuery> query = arguments.Query;
            ReadOnlySpan<TKeyValue> key = arguments.Key, value = arguments.Value;
            Span<TOutput> output = arguments.Output;
            string queryName = info.QueryName, keyName = info.KeyName, valueName = info.ValueName, outputName = info.OutputName, batchName = info.BatchName;
            if (headDimension <= 0 || heads <= 0 || keyValueHeads <= 0 || heads % keyValueHeads != 0 || (long)heads * headDimension > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(heads), "The head dimension and head counts must be positive, and KeyValueHeads must divide Heads.");
            }

            if (batch < 0)
            {
                throw new ArgumentOutOfRangeException(batchName, batch, $"The {batchName} count must not be negative.");
            }

            if (info.Declares(RuntimeParameter.SequenceStarts))
            {
                return ValidatePacked(layout, headDimension, heads, keyValueHeads, batch, query, key, value, output, arguments.SequenceStarts, arguments.SequenceStarts,
                    shared: true, queryName, keyName, valueName, outputName, batchName, info.SequenceStartsName, info.SequenceStartsName);
            }

            if (info.Declares(RuntimeParameter.QuerySequenceStarts) && info.Declares(RuntimeParameter.KeySequenceStarts))
            {
                return ValidatePacked(layout, headDimension, heads, keyValueHeads, batch, query, key, value, output, arguments.QuerySequenceStarts, arguments.KeySequenceStarts,
                    shared: false, queryName, keyName, valueName, outputName, batchName, info.QuerySequenceStartsName, info.KeySequenceStartsName);
            }

            if (batch == 0)
            {
                if (!query.IsEmpty || !key.IsEmpty || !value.IsEmpty || !output.IsEmpty)
                {
                    string name = !query.IsEmpty ? queryName : !key.IsEmpty ? keyName : !value.IsEmpty ? valueName : outputName;
                    throw new ArgumentException($"With {batchName} = 0 every span must be empty.", name);
                }

                CheckLengths(arguments.KeyLengths, info.Declares(RuntimeParameter.KeyLengths), 0, 0, info.KeyLengthsName, batchName, "keys");
                CheckLengths(arguments.QueryLengths, info.Declares(RuntimeParameter.QueryLengths), 0, 0, info.QueryLengthsName, batchName, "queries");
                return new BatchedShape(layout, headDimension, heads, keyValueHeads, 0, 0, 0);
            }

            long queryRow = (long)batch * heads * headDimension;
            long keyRow = (long)batch * keyValueHeads * headDimension;
            if (query.Length % queryRow != 0)
            {
                throw new ArgumentException(
                    $"The {queryName} length {query.Length} is not a whole number of positions of {batchName} ({batch}) x {heads} heads x {headDimension}.", queryName);
            }

            if (key.Length % keyRow != 0)
            {
                throw new ArgumentException(
                    $"The {keyName} length {key.Length} is not a whole number of positions of {batchName} ({batch}) x {keyValueHeads} key/value heads x {headDimension}.", keyName);
            }

            // value = key and output = query in length, and output shares no memory with an input.
            AttentionGuard.Validate(headDimension, query, key, value, output, queryName, keyName, valueName, outputName, out _, out _);

            int queryCount = (int)(query.Length / queryRow);
            int keyCount = (int)(key.Length / keyRow);
            CheckLengths(arguments.KeyLengths, info.Declares(RuntimeParameter.KeyLengths), batch, keyCount, info.KeyLengthsName, batchName, "keys");
            CheckLengths(arguments.QueryLengths, info.Declares(RuntimeParameter.QueryLengths), batch, queryCount, info.QueryLengthsName, batchName, "queries");
            return new BatchedShape(layout, headDimension, heads, keyValueHeads, batch, queryCount, keyCount);
        }

        /// <summary>
        /// Packed items: B + 1 non-decreasing offsets from 0 to the total row count, for the queries and for the keys (the
        /// same span for both with sequenceStarts; querySequenceStarts and keySequenceStarts may differ).
        /// </summary>
        private static BatchedShape ValidatePacked<TQuery, TKeyValue, TOutput>(
            AttentionLayout layout, int headDimension, int heads, int keyValueHeads, int batch,
            ReadOnlySpan<TQuery> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value, Span<TOutput> output,
            ReadOnlySpan<int> queryStarts, ReadOnlySpan<int> keyStarts, bool shared,
            string queryName, string keyName, string valueName, string outputName, string batchName, string queryStartsName, string keyStartsName)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            // Called by ValidateSpans once the head counts and batch are known to be valid.
            if (layout != AttentionLayout.BatchSeqHeadDim)
            {
                throw new ArgumentException("Packed sequences are [total, H, d]: the layout must be BatchSeqHeadDim.", nameof(layout));
            }

            long queryRow = (long)heads * headDimension;
            long keyRow = (long)keyValueHeads * headDimension;
            if (query.Length % queryRow != 0)
            {
                throw new ArgumentException($"The {queryName} length {query.Length} is not a whole number of packed rows of {heads} heads x {headDimension}.", queryName);
            }

            int queryTotal = (int)(query.Length / queryRow);
            if (shared && key.Length != queryTotal * keyRow)
            {
                throw new ArgumentException(
                    $"The {keyName} length {key.Length} must be {queryTotal} packed rows of {keyValueHeads} key/value heads x {headDimension} (as many rows as {queryName}).", keyName);
            }

            if (key.Length % keyRow != 0)
            {
                throw new ArgumentException($"The {keyName} length {key.Length} is not a whole number of packed rows of {keyValueHeads} key/value heads x {headDimension}.", keyName);
            }

            int keyTotal = (int)(key.Length / keyRow);

            // value = key and output = query in length, and output shares no memory with an input.
            AttentionGuard.Validate(headDimension, query, key, value, output, queryName, keyName, valueName, outputName, out _, out _);

            CheckStarts(queryStarts, batch, queryTotal, batchName, queryStartsName);
            if (!shared)
            {
                CheckStarts(keyStarts, batch, keyTotal, batchName, keyStartsName);
            }

            return new BatchedShape(layout, headDimension, heads, keyValueHeads, batch, queryTotal, keyTotal, packed: true);
        }

        /// <summary>B + 1 offsets, from 0 to <paramref name="total"/>, never decreasing.</summary>
        private static void CheckStarts(ReadOnlySpan<int> starts, int batch, int total, string batchName, string name)
        {
            if (starts.Length != batch + 1)
            {
                throw new ArgumentException(
                    $"The {name} span holds {starts.Length} offsets; {batchName} = {batch} sequences need {batch + 1} (the start of each, then the total).", name);
            }

            if (starts[0] != 0 || starts[batch] != total)
            {
                throw new ArgumentException($"{name} must run from 0 to the packed row count {total}; it runs from {starts[0]} to {starts[batch]}.", name);
            }

            for (int b = 0; b < batch; b++)
            {
                if (starts[b + 1] < starts[b])
                {
                    throw new ArgumentException($"{name} must not decrease: [{b}] = {starts[b]}, [{b + 1}] = {starts[b + 1]}.", name);
                }
            }
        }

        /// <summary>
        /// Computes every (batch item, head) of a call <see cref="Validate"/> checked against <paramref name="info"/>, with
        /// <typeparamref name="TKernel"/>, on up to <see cref="AttentionThreading.MaxDegreeOfParallelism"/> threads. Each
        /// output row is written by one kernel call in a fixed order, so the result does not depend on the thread count.
        /// </summary>
        public static void Run<TKernel, TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, BatchedShape shape, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TKernel : IHeadGroupKernel
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

                AttentionThreading.ForHeadGroups<TKernel, TQuery, TKeyValue, TOutput>(shape, arguments, items, info.StandardSlopes, work,
                    KeyValueHeadsPerCall(shape, maxQueries));
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
        /// page once per head (measured on an AMD EPYC family 23, float32, 32/8 heads, 4096 keys: 29% of the read
        /// bandwidth, against 55% for [B, H, N, d]). So a call takes the largest number of consecutive heads that still
        /// leaves a call per thread.
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
        /// Computes call <paramref name="claim"/>: key/value heads [first, first + <paramref name="keyHeadsPerCall"/>) of batch
        /// item claim / (KeyValueHeads / keyHeadsPerCall), with the query heads that read them, in one kernel call that
        /// reads every span in place through its strides (see <see cref="HeadGroup{TQuery, TKeyValue, TOutput}"/>).
        /// </summary>
        internal static unsafe void RunGroup<TKernel, TQuery, TKeyValue, TOutput>(
            BatchedShape shape,
            int claim,
            int keyHeadsPerCall,
            in BatchedArguments<TQuery, TKeyValue, TOutput> arguments,
            ReadOnlySpan<ItemRows> items,
            ReadOnlySpan<float> standardSlopes)
            where TKernel : IHeadGroupKernel
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
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
                TKernel.Run(headGroup);
            }
        }

        private static void CheckLengths(ReadOnlySpan<int> lengths, bool present, int batch, int limit, string name, string batchName, string what)
        {
            if (!present)
            {
                return;
            }

            if (lengths.Length != batch)
            {
                throw new ArgumentException($"The {name} span holds {lengths.Length} lengths; it needs one per batch item ({batchName} = {batch}).", name);
            }

            for (int i = 0; i < lengths.Length; i++)
            {
                if ((uint)lengths[i] > (uint)limit)
                {
                    throw new ArgumentException($"{name}[{i}] = {lengths[i]} is outside 0..{limit} (the {what} per batch item).", name);
                }
            }
        }
    }
}
