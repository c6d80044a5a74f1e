using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// The per-item lengths or packed offsets of a batched call, read from the caller's spans exactly once. Validation
    /// has checked those spans, but the caller's memory may change while the call runs (another thread, or a bug); every
    /// address and size of the run is computed from this copy, which is checked again here before anything is written.
    /// </summary>
    internal static class BatchItems
    {
        /// <summary>
        /// Fills <paramref name="items"/> (one entry per batch item) from the call's keyLengths / queryLengths or sequence
        /// starts, each element read once, and checks the copy against <paramref name="shape"/>: counts within 0..N, offsets
        /// from 0 to the total and never decreasing. Throws <see cref="ArgumentException"/> naming the span when the copy
        /// breaks a bound validation had checked (its contents changed during the call).
        /// </summary>
        public static void Capture<TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, BatchedShape shape, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments,
            Span<ItemRows> items)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int batch = items.Length;
            if (!shape.Packed)
            {
                ReadOnlySpan<int> keyLengths = arguments.KeyLengths, queryLengths = arguments.QueryLengths;
                for (int item = 0; item < batch; item++)
                {
                    int keys = keyLengths.IsEmpty ? shape.KeyCount : keyLengths[item];
                    int queries = queryLengths.IsEmpty ? shape.QueryCount : queryLengths[item];
                    if ((uint)keys > (uint)shape.KeyCount)
                    {
                        throw Changed(info.KeyLengthsName, item, keys, shape.KeyCount);
                    }

                    if ((uint)queries > (uint)shape.QueryCount)
                    {
                        throw Changed(info.QueryLengthsName, item, queries, shape.QueryCount);
                    }

                    items[item] = new ItemRows(queries, keys, 0, 0);
                }

                return;
            }

            bool shared = info.Declares(RuntimeParameter.SequenceStarts);
            ReadOnlySpan<int> queryStarts = shared ? arguments.SequenceStarts : arguments.QuerySequenceStarts;
            ReadOnlySpan<int> keyStarts = shared ? arguments.SequenceStarts : arguments.KeySequenceStarts;
            string queryName = shared ? info.SequenceStartsName : info.QuerySequenceStartsName;
            string keyName = shared ? info.SequenceStartsName : info.KeySequenceStartsName;
            if (queryStarts.Length != batch + 1 || keyStarts.Length != batch + 1)
            {
                throw new ArgumentException($"The {queryName} and {keyName} spans need {batch + 1} offsets.", queryStarts.Length != batch + 1 ? queryName : keyName);
            }

            int queryStart = queryStarts[0];
            int keyStart = shared ? queryStart : keyStarts[0];
            CheckOffset(queryName, 0, queryStart, 0, 0);
            CheckOffset(keyName, 0, keyStart, 0, 0);
            for (int item = 0; item < batch; item++)
            {
                int queryEnd = queryStarts[item + 1];
                int keyEnd = shared ? queryEnd : keyStarts[item + 1];
                CheckOffset(queryName, item + 1, queryEnd, queryStart, item + 1 == batch ? shape.QueryCount : -1, shape.QueryCount);
                CheckOffset(keyName, item + 1, keyEnd, keyStart, item + 1 == batch ? shape.KeyCount : -1, shape.KeyCount);
                items[item] = new ItemRows(queryEnd - queryStart, keyEnd - keyStart, queryStart, keyStart);
                (queryStart, keyStart) = (queryEnd, keyEnd);
            }
        }

        /// <summary>An offset no smaller than the one before it, at most <paramref name="total"/>, and equal to <paramref name="required"/> unless that is -1.</summary>
        private static void CheckOffset(string name, int index, int offset, int previous, int required, int total = 0)
        {
            bool inRange = required >= 0 ? offset == required : offset >= previous && offset <= total;
            if (!inRange)
            {
                throw new ArgumentException(
                    $"{name}[{index}] = {offset} no longer fits the call (it must be {(required >= 0 ? $"{required}" : $"{previous}..{total}")}): a span changed while the call read it; spans must not change during a call.",
                    name);
            }
        }

        private static ArgumentException Changed(string name, int item, int value, int limit) =>
            new($"{name}[{item}] = {value} is outside 0..{limit}: the span changed while the call read it (validation saw it in range); spans must not change during a call.", name);
    }
}
