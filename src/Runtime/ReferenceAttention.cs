using System;

namespace KernelGen
{
    /// <summary>
    /// The definition of what every KernelGen kernel computes, written straight from the formula in double precision:
    /// no tiling, no online softmax, no vectors. It is slow (it stores one score row per query) and meant for checking.
    /// </summary>
    /// <remarks>
    /// For each query row i: <c>s_j = scale * dot(q_i, k_j)</c> for every key j with <see cref="AttentionSpec.IsAllowed"/>;
    /// <c>out_i = sum_j e^(s_j - max s) v_j / sum_j e^(s_j - max s)</c>; a row with no allowed key is all zeros.
    /// </remarks>
    public static class ReferenceAttention
    {
        /// <summary>Computes attention in double precision into <paramref name="output"/> ([Nq, d]).</summary>
        /// <exception cref="ArgumentException">A length is not a whole number of rows, or the lengths disagree.</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<double> output)
        {
            ArgumentNullException.ThrowIfNull(spec);
            int d = spec.HeadDimension;
            AttentionGuard.ValidateLengths(d, query.Length, key.Length, value.Length, output.Length,
                nameof(query), nameof(key), nameof(value), nameof(output), out int queryCount, out int keyCount);

            double[] scores = new double[keyCount];
            for (int i = 0; i < queryCount; i++)
            {
                ReadOnlySpan<float> q = query.Slice(i * d, d);
                double max = double.NegativeInfinity;
                for (int j = 0; j < keyCount; j++)
                {
                    if (!spec.IsAllowed(i, j, queryCount, keyCount))
                    {
                        scores[j] = double.NegativeInfinity;
                        continue;
                    }

                    ReadOnlySpan<float> k = key.Slice(j * d, d);
                    double dot = 0;
                    for (int c = 0; c < d; c++)
                    {
                        dot += (double)q[c] * k[c];
                    }

                    scores[j] = spec.Scale * dot;
                    max = Math.Max(max, scores[j]);
                }

                Span<double> row = output.Slice(i * d, d);
                row.Clear();
                if (double.IsNegativeInfinity(max))
                {
                    continue; // no allowed key: zeros
                }

                double sum = 0;
                for (int j = 0; j < keyCount; j++)
                {
                    if (double.IsNegativeInfinity(scores[j]))
                    {
                        continue;
                    }

                    double weight = Math.Exp(scores[j] - max);
                    sum += weight;
                    ReadOnlySpan<float> v = value.Slice(j * d, d);
                    for (int c = 0; c < d; c++)
                    {
                        row[c] += weight * v[c];
                    }
                }

                for (int c = 0; c < d; c++)
                {
                    row[c] /= sum;
                }
            }
        }

        /// <summary>
        /// Batched multi-head attention in double precision, straight from the definition: for batch item b, query head h
        /// (reading key/value head h / (Heads / KeyValueHeads)) and query position i &lt; Lq(b), the single-head formula
        /// over the keys j &lt; Lk(b) with the mask evaluated for Lq(b) queries and Lk(b) keys (positions count valid
        /// tokens); rows i &gt;= Lq(b) are zeros. Lengths default to Nq and Nk when their span is empty. With
        /// <paramref name="sequenceStarts"/> the items are packed ([total, H, d]) and item b has rows
        /// sequenceStarts[b] .. sequenceStarts[b + 1] for its queries and keys alike.
        /// </summary>
        public static void ComputeBatched(
            AttentionSpec spec,
            AttentionLayout layout,
            int heads,
            int keyValueHeads,
            int batch,
            ReadOnlySpan<float> query,
            ReadOnlySpan<float> key,
            ReadOnlySpan<float> value,
            Span<double> output,
            ReadOnlySpan<int> keyLengths = default,
            ReadOnlySpan<int> queryLengths = default,
            ReadOnlySpan<int> sequenceStarts = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            int d = spec.HeadDimension;
            if (batch == 0)
            {
                return;
            }

            // Packed ([total, H, d]): item b is rows sequenceStarts[b] .. sequenceStarts[b + 1] of one long sequence.
            bool packed = !sequenceStarts.IsEmpty;
            int queryCount = query.Length / ((packed ? 1 : batch) * heads * d);
            int keyCount = key.Length / ((packed ? 1 : batch) * keyValueHeads * d);
            if (output.Length != query.Length || value.Length != key.Length || queryCount * (packed ? 1 : batch) * heads * d != query.Length
                || keyCount * (packed ? 1 : batch) * keyValueHeads * d != key.Length)
            {
                throw new ArgumentException("The spans do not match the batched shape.");
            }

            // Each (item, head) is the single-head definition on its valid rows: gather them, compute, scatter.
            var shape = new BatchedShape(layout, d, heads, keyValueHeads, batch, queryCount, keyCount, packed);
            for (int b = 0; b < batch; b++)
            {
                int lq = packed ? sequenceStarts[b + 1] - sequenceStarts[b] : queryLengths.IsEmpty ? queryCount : queryLengths[b];
                int lk = packed ? lq : keyLengths.IsEmpty ? keyCount : keyLengths[b];
                int first = packed ? sequenceStarts[b] : 0, item = packed ? 0 : b, rows = packed ? lq : queryCount;
                float[] q = new float[lq * d], k = new float[lk * d], v = new float[lk * d];
                double[] result = new double[lq * d];
                for (int h = 0; h < heads; h++)
                {
                    int kh = h / (heads / keyValueHeads);
                    for (int j = 0; j < lk; j++)
                    {
                        key.Slice(shape.RowOffset(item, kh, first + j, keyValueHeads, keyCount), d).CopyTo(k.AsSpan(j * d));
                        value.Slice(shape.RowOffset(item, kh, first + j, keyValueHeads, keyCount), d).CopyTo(v.AsSpan(j * d));
                    }

                    for (int i = 0; i < lq; i++)
                    {
                        query.Slice(shape.RowOffset(item, h, first + i, heads, queryCount), d).CopyTo(q.AsSpan(i * d));
                    }

                    Compute(spec, q, k, v, result);
                    for (int i = 0; i < rows; i++)
                    {
                        Span<double> row = output.Slice(shape.RowOffset(item, h, first + i, heads, queryCount), d);
                        if (i < lq)
                        {
                            result.AsSpan(i * d, d).CopyTo(row);
                        }
                        else
                        {
                            row.Clear(); // a padding row
                        }
                    }
                }
            }
        }

        /// <summary>Computes attention in double precision and rounds the result to float.</summary>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)
        {
            ArgumentNullException.ThrowIfNull(spec);
            AttentionGuard.ValidateLengths(spec.HeadDimension, query.Length, key.Length, value.Length, output.Length,
                nameof(query), nameof(key), nameof(value), nameof(output), out _, out _);
            double[] exact = new double[output.Length];
            Compute(spec, query, key, value, exact);
            for (int i = 0; i < exact.Length; i++)
            {
                output[i] = (float)exact[i];
            }
        }
    }
}
