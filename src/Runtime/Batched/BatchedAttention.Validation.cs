using System;

namespace KernelGen.Engine
{
    // Validation of batched calls: every length and run-time span against the kernel's BatchedKernelInfo, before anything
    // is written (see docs/safety.md).
    public static partial class BatchedAttention
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
                throw new ArgumentException($"Packed sequences take no {info.KeyMaskName} or {info.MaskName}.", hasKeyMask ? info.KeyMaskName : info.MaskName);
            }

            if (info.Declares(RuntimeParameter.QuerySequenceStarts) != info.Declares(RuntimeParameter.KeySequenceStarts))
            {
                string missing = info.Declares(RuntimeParameter.QuerySequenceStarts) ? info.KeySequenceStartsName : info.QuerySequenceStartsName;
                throw new ArgumentException($"{info.QuerySequenceStartsName} and {info.KeySequenceStartsName} come together; the kernel lacks {missing}.", missing);
            }

            if (info.Packed && info.Declares(RuntimeParameter.Bias))
            {
                throw new ArgumentException($"Packed sequences take no {info.BiasName}.", info.BiasName);
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
