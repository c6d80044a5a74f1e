using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// The engine's own check of what it is handed, before its unchecked loops run: every row, stride and count must lie
    /// inside the spans it came with, computed in 64 bits. Generated kernels validate the caller's arguments first and
    /// never fail here; the check keeps a direct call with inconsistent arguments from reading or writing outside them.
    /// O(1) per call or head group.
    /// </summary>
    internal static class EngineBounds
    {
        /// <summary>
        /// One head of <paramref name="d"/> columns: query and output whole rows of equal length, key and value whole rows of
        /// equal length, log-sum-exp empty or one per query row, the masks and the bias covering every (row, key) read.
        /// </summary>
        public static void CheckHead(int d, int queryLength, int keyLength, int valueLength, int outputLength, int logSumExpLength, RuntimeMasks masks,
            int biasLength, int biasStride, bool readsBias)
        {
            if (queryLength % d != 0 || keyLength % d != 0 || outputLength != queryLength || valueLength != keyLength)
            {
                throw Inconsistent("the query, key, value and output lengths");
            }

            int queries = queryLength / d, keys = keyLength / d;
            CheckRows(queries, keys, logSumExpLength, 0, masks, biasLength, biasStride, readsBias);
        }

        /// <summary>
        /// A head group (see <see cref="HeadGroup{TQuery, TKeyValue, TOutput}"/>): every query and output row of every head,
        /// every key and value row of every key/value head, each head's log-sum-exp rows, masks and bias inside their spans.
        /// </summary>
        public static void CheckGroup<TQuery, TKeyValue, TOutput>(int d, scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, bool readsBias)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int heads = group.Heads, queries = group.QueryCount, keys = group.KeyCount;
            int keyValueHeads = Math.Max(1, group.KeyValueHeads);
            if (heads < 0 || queries < 0 || keys < 0 || group.QueryRowStride < 0 || group.QueryHeadStride < 0 || group.KeyRowStride < 0
                || group.KeyHeadStride < 0 || group.LogSumExpHeadStride < 0)
            {
                throw Inconsistent("a negative count or stride");
            }

            if (queries == 0 || heads == 0)
            {
                return; // nothing is read or written
            }

            // Rows never overlap within a head: then rows x d, the size of any scratch copy, is at most the span's length.
            if (group.QueryRowStride < d || (keys > 0 && group.KeyRowStride < d))
            {
                throw Inconsistent("a row stride shorter than a row");
            }

            long queryExtent = Extent(heads, group.QueryHeadStride, queries, group.QueryRowStride, d);
            if (queryExtent > group.Query.Length || queryExtent > group.Output.Length)
            {
                throw Inconsistent("the query or output rows");
            }

            if (keys > 0)
            {
                long keyExtent = Extent(keyValueHeads, group.KeyHeadStride, keys, group.KeyRowStride, d);
                if (keyExtent > group.Key.Length || keyExtent > group.Value.Length)
                {
                    throw Inconsistent("the key or value rows");
                }
            }

            if (group.Scores.Length < heads)
            {
                throw Inconsistent("the heads' score inputs");
            }

            for (int head = 0; head < heads; head++)
            {
                ScoreState score = group.Scores[head];
                CheckRows(queries, keys, group.LogSumExp.Length, (long)head * group.LogSumExpHeadStride, group.Masks, score.Bias.Length, score.BiasStride, readsBias);
            }
        }

        /// <summary>
        /// Log-sum-exp rows from <paramref name="logSumExpStart"/>, and masks and bias read at (row &lt; queries, key &lt; keys).
        /// </summary>
        private static void CheckRows(int queries, int keys, int logSumExpLength, long logSumExpStart, RuntimeMasks masks, int biasLength, int biasStride,
            bool readsBias)
        {
            if (logSumExpLength != 0 && logSumExpStart + queries > logSumExpLength)
            {
                throw Inconsistent("the log-sum-exp rows");
            }

            if (queries == 0 || keys == 0)
            {
                return;
            }

            if (!masks.KeyMask.IsEmpty && masks.KeyMask.Length < keys)
            {
                throw Inconsistent("the key mask");
            }

            if (!masks.Mask.IsEmpty && (masks.MaskStride < 0 || (long)(queries - 1) * masks.MaskStride + keys > masks.Mask.Length))
            {
                throw Inconsistent("the mask rows");
            }

            if ((readsBias || biasLength != 0) && (biasStride < 0 || (long)(queries - 1) * biasStride + keys > biasLength))
            {
                throw Inconsistent("the bias rows");
            }
        }

        /// <summary>A scratch size summed in 64 bits, as an int; past what an array holds it throws rather than wrapping around.</summary>
        public static int ScratchFloats(long floats) =>
            floats >= 0 && floats <= Array.MaxLength ? (int)floats : throw new ArgumentException($"The call needs {floats} floats of scratch, more than an array holds; split it into smaller calls.");

        /// <summary>Whether <paramref name="positions"/> rise strictly from 0 or more.</summary>
        public static bool SortedNonNegative(ReadOnlySpan<int> positions)
        {
            for (int i = 0; i < positions.Length; i++)
            {
                if (positions[i] < 0 || (i > 0 && positions[i] <= positions[i - 1]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>One past the last element read: (outer - 1) x outerStride + (rows - 1) x rowStride + d, in 64 bits.</summary>
        private static long Extent(int outer, int outerStride, int rows, int rowStride, int d) =>
            (long)(outer - 1) * outerStride + (long)(rows - 1) * rowStride + d;

        private static ArgumentException Inconsistent(string what) =>
            new($"The engine was given inconsistent arguments ({what} do not fit their spans); call it through a generated kernel, which validates them.");
    }
}
