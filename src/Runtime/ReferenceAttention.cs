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
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<double> output) =>
            Compute(spec, query, key, value, output, Span<double>.Empty);

        /// <summary>
        /// Computes attention in double precision into <paramref name="output"/> ([Nq, d]) and, unless it is empty, each
        /// row's log-sum-exp <c>ln sum_j e^(s_j)</c> over its allowed scaled scores into <paramref name="logSumExp"/>
        /// ([Nq]; negative infinity for a row with no allowed key).
        /// </summary>
        /// <exception cref="ArgumentException">A length is not a whole number of rows, or the lengths disagree.</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<double> output, Span<double> logSumExp) =>
            Compute(spec, query, key, value, output, logSumExp, default, default, 0);

        /// <summary>The definition, with run-time masks: key j is also hidden when keyMask[j] or mask[i * maskStride + j] is false.</summary>
        private static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<double> output, Span<double> logSumExp,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride)
        {
            ArgumentNullException.ThrowIfNull(spec);
            int d = spec.HeadDimension;
            AttentionGuard.ValidateLengths(d, query.Length, key.Length, value.Length, output.Length,
                nameof(query), nameof(key), nameof(value), nameof(output), out int queryCount, out int keyCount);
            if (!logSumExp.IsEmpty && logSumExp.Length != queryCount)
            {
                throw new ArgumentException("The log-sum-exp span needs one value per query row.", nameof(logSumExp));
            }

            double[] scores = new double[keyCount];
            for (int i = 0; i < queryCount; i++)
            {
                ReadOnlySpan<float> q = query.Slice(i * d, d);
                double max = double.NegativeInfinity;
                for (int j = 0; j < keyCount; j++)
                {
                    if (!spec.IsAllowed(i, j, queryCount, keyCount) || (!keyMask.IsEmpty && !keyMask[j]) || (!mask.IsEmpty && !mask[i * maskStride + j]))
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
                if (!logSumExp.IsEmpty)
                {
                    logSumExp[i] = double.NegativeInfinity;
                }

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

                if (!logSumExp.IsEmpty)
                {
                    logSumExp[i] = max + Math.Log(sum);
                }
            }
        }

        /// <summary>
        /// Batched multi-head attention in double precision, straight from the definition: for batch item b, query head h
        /// (reading key/value head h / (Heads / KeyValueHeads)) and query position i &lt; Lq(b), the single-head formula
        /// over the keys j &lt; Lk(b) with the mask evaluated for Lq(b) queries and Lk(b) keys (positions count valid
        /// tokens); rows i &gt;= Lq(b) are zeros. Lengths default to Nq and Nk when their span is empty. With
        /// <paramref name="sequenceStarts"/> the items are packed ([total, H, d]) and item b has rows
        /// sequenceStarts[b] .. sequenceStarts[b + 1] for its queries and keys alike. <paramref name="logSumExp"/>, unless
        /// empty, receives each row's log-sum-exp: [B, H, Nq] with -inf for padding rows, or [H, total] when packed.
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
            ReadOnlySpan<int> sequenceStarts = default,
            Span<double> logSumExp = default,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            int d = spec.HeadDimension;
            if (heads < 1 || keyValueHeads < 1 || heads % keyValueHeads != 0)
            {
                throw new ArgumentException("Heads and KeyValueHeads must be positive and KeyValueHeads must divide Heads.", nameof(keyValueHeads));
            }

            if (batch < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch count must not be negative.");
            }

            // Packed ([total, H, d]): item b is rows sequenceStarts[b] .. sequenceStarts[b + 1] of one long sequence.
            bool packed = !sequenceStarts.IsEmpty;
            int items = packed ? 1 : batch;
            if (items == 0)
            {
                if (!query.IsEmpty || !key.IsEmpty || !value.IsEmpty || !output.IsEmpty)
                {
                    throw new ArgumentException("With batch = 0 every span must be empty.", nameof(query));
                }

                return;
            }

            int queryCount = query.Length / (items * heads * d);
            int keyCount = key.Length / (items * keyValueHeads * d);
            if (output.Length != query.Length || value.Length != key.Length || (long)queryCount * items * heads * d != query.Length
                || (long)keyCount * items * keyValueHeads * d != key.Length || (packed && keyCount != queryCount))
            {
                throw new ArgumentException("The spans do not match the batched shape.", nameof(query));
            }

            if (packed && (sequenceStarts.Length != batch + 1 || sequenceStarts[0] != 0 || sequenceStarts[batch] != queryCount))
            {
                throw new ArgumentException("sequenceStarts must hold batch + 1 offsets from 0 to the packed row count.", nameof(sequenceStarts));
            }

            CheckLengths(keyLengths, batch, keyCount, nameof(keyLengths));
            CheckLengths(queryLengths, batch, queryCount, nameof(queryLengths));
            if (!logSumExp.IsEmpty && logSumExp.Length != (long)heads * (packed ? queryCount : (long)batch * queryCount))
            {
                throw new ArgumentException("The log-sum-exp span needs one value per query row and head.", nameof(logSumExp));
            }

            // Written out here rather than shared with the kernels' driver, so a layout mistake there cannot hide.
            int Offset(int item, int head, int position, int headCount, int positions) => layout == AttentionLayout.BatchHeadSeqDim
                ? ((item * headCount + head) * positions + position) * d
                : ((item * positions + position) * headCount + head) * d;

            // Each (item, head) is the single-head definition on its valid rows: gather them, compute, scatter.
            for (int b = 0; b < batch; b++)
            {
                int lq = packed ? sequenceStarts[b + 1] - sequenceStarts[b] : queryLengths.IsEmpty ? queryCount : queryLengths[b];
                int lk = packed ? lq : keyLengths.IsEmpty ? keyCount : keyLengths[b];
                if (lq < 0)
                {
                    throw new ArgumentException("sequenceStarts must not decrease.", nameof(sequenceStarts));
                }

                int first = packed ? sequenceStarts[b] : 0, item = packed ? 0 : b, rows = packed ? lq : queryCount;
                float[] q = new float[lq * d], k = new float[lk * d], v = new float[lk * d];
                double[] result = new double[lq * d];
                double[] rowLogSumExp = new double[lq];
                for (int h = 0; h < heads; h++)
                {
                    int kh = h / (heads / keyValueHeads);
                    for (int j = 0; j < lk; j++)
                    {
                        key.Slice(Offset(item, kh, first + j, keyValueHeads, keyCount), d).CopyTo(k.AsSpan(j * d));
                        value.Slice(Offset(item, kh, first + j, keyValueHeads, keyCount), d).CopyTo(v.AsSpan(j * d));
                    }

                    for (int i = 0; i < lq; i++)
                    {
                        query.Slice(Offset(item, h, first + i, heads, queryCount), d).CopyTo(q.AsSpan(i * d));
                    }

                    // Run-time masks: the item's key flags ([B, Nk]) and its mask rows ([B, Nq, Nk] or one shared [Nq, Nk]).
                    ReadOnlySpan<bool> itemKeys = keyMask.IsEmpty ? default : keyMask.Slice(b * keyCount, lk);
                    ReadOnlySpan<bool> itemMask = mask.IsEmpty ? default
                        : mask.Length == queryCount * keyCount ? mask : mask.Slice(b * queryCount * keyCount, queryCount * keyCount);
                    Compute(spec, q, k, v, result, rowLogSumExp, itemKeys, itemMask, keyCount);
                    if (!logSumExp.IsEmpty)
                    {
                        // [B, H, Nq] (padding rows: -inf), or [H, total] when packed.
                        Span<double> target = packed ? logSumExp.Slice(h * queryCount + first, lq) : logSumExp.Slice((b * heads + h) * queryCount, queryCount);
                        target.Fill(double.NegativeInfinity);
                        rowLogSumExp.CopyTo(target);
                    }

                    for (int i = 0; i < rows; i++)
                    {
                        Span<double> row = output.Slice(Offset(item, h, first + i, heads, queryCount), d);
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

        private static void CheckLengths(ReadOnlySpan<int> lengths, int batch, int limit, string name)
        {
            if (lengths.IsEmpty)
            {
                return;
            }

            if (lengths.Length != batch)
            {
                throw new ArgumentException("One length per batch item is needed.", name);
            }

            foreach (int length in lengths)
            {
                if ((uint)length > (uint)limit)
                {
                    throw new ArgumentException($"A length of {length} is outside 0..{limit}.", name);
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
