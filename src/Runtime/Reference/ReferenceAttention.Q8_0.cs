using System;
using System.Diagnostics.CodeAnalysis;
using KernelGen.Engine;

namespace KernelGen
{
    // q8_0 keys and values (issue 28's contract): a kernel over a q8_0 cache quantises its float query the same way, per
    // 32 columns, so each score is an integer dot product times two scales, as ggml computes it. The reference therefore
    // is the float definition over the dequantised quantised query and the dequantised keys and values, in double.
    public static partial class ReferenceAttention
    {
        private const string Q8Overloads = "The q8_0 overloads differ from the float ones in their key and value span types only.";

        /// <summary>
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double})"/>
        /// over a q8_0 cache: <paramref name="key"/> and <paramref name="value"/> hold d / 32 blocks a row, and the query
        /// is quantised to q8_0 per 32 columns (<see cref="Q8_0.Quantize"/>) and dequantised, as a kernel over such a cache
        /// does; then the float definition applies to the dequantised values.
        /// </summary>
        /// <exception cref="ArgumentException">The head dimension is not a multiple of 32 (names <paramref name="spec"/>), or
        /// a length is not a whole number of rows, or the lengths disagree.</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<BlockQ8_0> key, ReadOnlySpan<BlockQ8_0> value, Span<double> output) =>
            Compute(spec, query, key, value, output, Span<double>.Empty, default);

        /// <summary>
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, Span{double})"/>
        /// over a q8_0 cache, the query quantised and dequantised per 32 columns as in
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{BlockQ8_0}, ReadOnlySpan{BlockQ8_0}, Span{double})"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The head dimension is not a multiple of 32, or a length is not a whole number
        /// of rows, or the lengths disagree.</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<BlockQ8_0> key, ReadOnlySpan<BlockQ8_0> value, Span<double> output,
            Span<double> logSumExp) =>
            Compute(spec, query, key, value, output, logSumExp, default);

        /// <summary>
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, Span{double}, ScoreArguments)"/>
        /// over a q8_0 cache, the query quantised and dequantised per 32 columns as in
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{BlockQ8_0}, ReadOnlySpan{BlockQ8_0}, Span{double})"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The head dimension is not a multiple of 32, or a length is not a whole number
        /// of rows, or the lengths disagree, or the bias does not fit.</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<BlockQ8_0> key, ReadOnlySpan<BlockQ8_0> value, Span<double> output,
            Span<double> logSumExp, ScoreArguments scores)
        {
            ArgumentNullException.ThrowIfNull(spec);
            RequireQ8Rows(spec, query.Length, key.Length, value.Length);
            Compute(spec, RoundTripQuery(query), DequantizeRows(key), DequantizeRows(value), output, logSumExp, scores);
        }

        /// <summary>
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
        /// (the double result rounded to float) over a q8_0 cache, the query quantised and dequantised per 32 columns.
        /// </summary>
        /// <exception cref="ArgumentException">The head dimension is not a multiple of 32, or a length is not a whole number
        /// of rows, or the lengths disagree.</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<BlockQ8_0> key, ReadOnlySpan<BlockQ8_0> value, Span<float> output)
        {
            ArgumentNullException.ThrowIfNull(spec);
            RequireQ8Rows(spec, query.Length, key.Length, value.Length);
            Compute(spec, RoundTripQuery(query), DequantizeRows(key), DequantizeRows(value), output);
        }

        /// <summary>
        /// <see cref="ComputeBatched(AttentionSpec, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{double}, ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{int}, ReadOnlySpan{int}, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// over a q8_0 cache: key and value rows (one per token and key/value head) are d / 32 blocks, lengths count rows
        /// as for float, and every query row is quantised and dequantised per 32 columns before the float definition applies.
        /// </summary>
        /// <exception cref="ArgumentException">The head dimension is not a multiple of 32, or a span does not match the
        /// batched shape, or the arguments conflict (the exception names the parameter).</exception>
        [SuppressMessage("ApiDesign", "RS0026", Justification = Q8Overloads)]
        public static void ComputeBatched(
            AttentionSpec spec,
            int batch,
            ReadOnlySpan<float> query,
            ReadOnlySpan<BlockQ8_0> key,
            ReadOnlySpan<BlockQ8_0> value,
            Span<double> output,
            ReadOnlySpan<int> keyLengths = default,
            ReadOnlySpan<int> queryLengths = default,
            ReadOnlySpan<int> sequenceStarts = default,
            Span<double> logSumExp = default,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default,
            ReadOnlySpan<int> querySequenceStarts = default,
            ReadOnlySpan<int> keySequenceStarts = default,
            float scale = 0f,
            ReadOnlySpan<float> alibiSlopes = default,
            ReadOnlySpan<float> bias = default,
            ReadOnlySpan<float> sinks = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            ComputeBatched(spec, spec.Layout, spec.Heads, spec.KeyValueHeads, batch, query, key, value, output,
                keyLengths, queryLengths, sequenceStarts, logSumExp, keyMask, mask, querySequenceStarts, keySequenceStarts, scale, alibiSlopes, bias, sinks);
        }

        /// <summary>
        /// <see cref="ComputeBatched(AttentionSpec, AttentionLayout, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{double}, ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{int}, ReadOnlySpan{int}, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// over a q8_0 cache, as in the form that takes heads and layout from the spec.
        /// </summary>
        /// <exception cref="ArgumentException">The head dimension is not a multiple of 32, or a span does not match the
        /// batched shape, or the arguments conflict (the exception names the parameter).</exception>
        [SuppressMessage("ApiDesign", "RS0026", Justification = Q8Overloads)]
        public static void ComputeBatched(
            AttentionSpec spec,
            AttentionLayout layout,
            int heads,
            int keyValueHeads,
            int batch,
            ReadOnlySpan<float> query,
            ReadOnlySpan<BlockQ8_0> key,
            ReadOnlySpan<BlockQ8_0> value,
            Span<double> output,
            ReadOnlySpan<int> keyLengths = default,
            ReadOnlySpan<int> queryLengths = default,
            ReadOnlySpan<int> sequenceStarts = default,
            Span<double> logSumExp = default,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default,
            ReadOnlySpan<int> querySequenceStarts = default,
            ReadOnlySpan<int> keySequenceStarts = default,
            float scale = 0f,
            ReadOnlySpan<float> alibiSlopes = default,
            ReadOnlySpan<float> bias = default,
            ReadOnlySpan<float> sinks = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            RequireQ8Rows(spec, query.Length, key.Length, value.Length);
            ComputeBatched(spec, layout, heads, keyValueHeads, batch, RoundTripQuery(query), DequantizeRows(key), DequantizeRows(value), output,
                keyLengths, queryLengths, sequenceStarts, logSumExp, keyMask, mask, querySequenceStarts, keySequenceStarts, scale, alibiSlopes, bias, sinks);
        }

        /// <summary>
        /// d a multiple of 32 and whole rows of d / 32 blocks (query: of d values); the float definition checks the rest
        /// (rows that agree, the batched shape) on the dequantised values.
        /// </summary>
        private static void RequireQ8Rows(AttentionSpec spec, int queryLength, int keyBlocks, int valueBlocks)
        {
            int d = spec.HeadDimension;
            if (d % BlockQ8_0.ValueCount != 0)
            {
                throw new ArgumentException($"Head dimension {d} is not a multiple of {BlockQ8_0.ValueCount}; a q8_0 row is whole blocks of {BlockQ8_0.ValueCount} values.", nameof(spec));
            }

            int blocksPerRow = d / BlockQ8_0.ValueCount;
            if (queryLength % d != 0)
            {
                throw new ArgumentException($"The query holds {queryLength} values, not a whole number of rows of {d}.", "query");
            }

            if (keyBlocks % blocksPerRow != 0)
            {
                throw new ArgumentException($"The key holds {keyBlocks} q8_0 blocks, not a whole number of rows of {blocksPerRow}.", "key");
            }

            if (valueBlocks % blocksPerRow != 0)
            {
                throw new ArgumentException($"The value holds {valueBlocks} q8_0 blocks, not a whole number of rows of {blocksPerRow}.", "value");
            }
        }

        /// <summary>The query as a kernel over a q8_0 cache scores with it: quantised per 32 columns, then dequantised.</summary>
        private static float[] RoundTripQuery(ReadOnlySpan<float> query)
        {
            var blocks = new BlockQ8_0[query.Length / BlockQ8_0.ValueCount];
            Q8_0.Quantize(query, blocks);
            return DequantizeRows(blocks);
        }

        private static float[] DequantizeRows(ReadOnlySpan<BlockQ8_0> blocks)
        {
            float[] values = new float[blocks.Length * BlockQ8_0.ValueCount];
            Q8_0.Dequantize(blocks, values);
            return values;
        }
    }
}
