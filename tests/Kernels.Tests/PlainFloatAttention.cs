using System;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// The yardstick of the accuracy criterion (see <see cref="Accuracy"/>): <see cref="ReferenceAttention"/>'s function,
    /// with its structure and its argument conventions, computed in plain float32 instead of double. Scores, max, exponents
    /// (<see cref="MathF.Exp"/>), sums (left to right), the weighted value sum and the division are all float; no tiling,
    /// no online softmax, no vectors. Same masks (causal bottom-right, window, globals, run-time masks, a -inf bias),
    /// same score terms (softcap, ALiBi, bias), sinks, padding and log-sum-exp as the reference.
    /// </summary>
    /// <remarks>
    /// It does not validate: call it with arguments the reference has accepted. Linked into Generator.Tests too.
    /// </remarks>
    public static class PlainFloatAttention
    {
        /// <summary>The single-head function of <see cref="ReferenceAttention.Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, Span{double}, ScoreArguments)"/> in float32.</summary>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output,
            Span<float> logSumExp = default, ScoreArguments scores = default) =>
            Compute(spec, query, key, value, output, logSumExp, default, default, 0, scores);

        private static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ScoreArguments scores)
        {
            int d = spec.HeadDimension;
            int queryCount = query.Length / d, keyCount = key.Length / d;
            ReadOnlySpan<float> bias = scores.Bias;
            int biasStride = scores.BiasStride;
            float scale = scores.Scale != 0f ? scores.Scale : spec.Scale;
            float cap = spec.Softcap;
            float slope = scores.AlibiSlope;
            float sink = scores.Sink;

            float[] rowScores = new float[keyCount];
            for (int i = 0; i < queryCount; i++)
            {
                ReadOnlySpan<float> q = query.Slice(i * d, d);
                float max = float.NegativeInfinity;
                for (int j = 0; j < keyCount; j++)
                {
                    if (!spec.IsAllowed(i, j, queryCount, keyCount) || (!keyMask.IsEmpty && !keyMask[j]) || (!mask.IsEmpty && !mask[i * maskStride + j])
                        || (!bias.IsEmpty && float.IsNegativeInfinity(bias[i * biasStride + j])))
                    {
                        rowScores[j] = float.NegativeInfinity;
                        continue;
                    }

                    ReadOnlySpan<float> k = key.Slice(j * d, d);
                    float dot = 0f;
                    for (int c = 0; c < d; c++)
                    {
                        dot += q[c] * k[c];
                    }

                    float score = scale * dot;
                    if (cap > 0f)
                    {
                        score = cap * MathF.Tanh(score / cap);
                    }

                    if (spec.Alibi)
                    {
                        long position = (long)i + keyCount - queryCount;
                        score -= slope * (float)Math.Abs(position - j);
                    }

                    if (!bias.IsEmpty)
                    {
                        score += bias[i * biasStride + j];
                    }

                    rowScores[j] = score;
                    max = MathF.Max(max, score); // NaN stays NaN, as in the reference
                }

                Span<float> row = output.Slice(i * d, d);
                row.Clear();
                if (!logSumExp.IsEmpty)
                {
                    logSumExp[i] = scores.HasSink ? sink : float.NegativeInfinity;
                }

                if (float.IsNegativeInfinity(max))
                {
                    continue;
                }

                if (float.IsPositiveInfinity(max))
                {
                    // The reference's limit: the +inf keys share the weight equally, the rest and the sink get 0.
                    int infinite = 0;
                    for (int j = 0; j < keyCount; j++)
                    {
                        if (float.IsPositiveInfinity(rowScores[j]))
                        {
                            infinite++;
                            ReadOnlySpan<float> v = value.Slice(j * d, d);
                            for (int c = 0; c < d; c++)
                            {
                                row[c] += v[c];
                            }
                        }
                    }

                    for (int c = 0; c < d; c++)
                    {
                        row[c] /= infinite;
                    }

                    if (!logSumExp.IsEmpty)
                    {
                        logSumExp[i] = float.PositiveInfinity;
                    }

                    continue;
                }

                float shift = scores.HasSink ? MathF.Max(max, sink) : max;
                float sum = 0f;
                for (int j = 0; j < keyCount; j++)
                {
                    if (float.IsNegativeInfinity(rowScores[j]))
                    {
                        continue;
                    }

                    float weight = MathF.Exp(rowScores[j] - shift);
                    sum += weight;
                    ReadOnlySpan<float> v = value.Slice(j * d, d);
                    for (int c = 0; c < d; c++)
                    {
                        row[c] += weight * v[c];
                    }
                }

                if (scores.HasSink)
                {
                    sum += MathF.Exp(sink - shift);
                }

                for (int c = 0; c < d; c++)
                {
                    row[c] /= sum;
                }

                if (!logSumExp.IsEmpty)
                {
                    logSumExp[i] = shift + MathF.Log(sum);
                }
            }
        }

        /// <summary>
        /// The batched function of <c>ReferenceAttention.ComputeBatched</c> in float32, with the same parameters and
        /// the same conventions (padding rows zeros with log-sum-exp -inf, standard ALiBi slopes when none are given, bias
        /// slabs [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk], packed items with shared or separate starts).
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
            Span<float> output,
            ReadOnlySpan<int> keyLengths = default,
            ReadOnlySpan<int> queryLengths = default,
            ReadOnlySpan<int> sequenceStarts = default,
            Span<float> logSumExp = default,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default,
            ReadOnlySpan<int> querySequenceStarts = default,
            ReadOnlySpan<int> keySequenceStarts = default,
            float scale = 0f,
            ReadOnlySpan<float> alibiSlopes = default,
            ReadOnlySpan<float> bias = default,
            ReadOnlySpan<float> sinks = default)
        {
            int d = spec.HeadDimension;
            bool separateStarts = !querySequenceStarts.IsEmpty || !keySequenceStarts.IsEmpty;
            bool packed = !sequenceStarts.IsEmpty || separateStarts;
            int items = packed ? 1 : batch;
            if (items == 0)
            {
                return;
            }

            int queryCount = query.Length / (items * heads * d);
            int keyCount = key.Length / (items * keyValueHeads * d);
            int slab = queryCount * keyCount;
            float[]? standardSlopes = spec.Alibi && alibiSlopes.IsEmpty ? AlibiSlopes.Standard(heads) : null;

            int Offset(int item, int head, int position, int headCount, int positions) => layout == AttentionLayout.BatchHeadSeqDim
                ? ((item * headCount + head) * positions + position) * d
                : ((item * positions + position) * headCount + head) * d;

            for (int b = 0; b < batch; b++)
            {
                int lq, lk, firstQuery, firstKey;
                if (separateStarts)
                {
                    lq = querySequenceStarts[b + 1] - querySequenceStarts[b];
                    lk = keySequenceStarts[b + 1] - keySequenceStarts[b];
                    firstQuery = querySequenceStarts[b];
                    firstKey = keySequenceStarts[b];
                }
                else if (packed)
                {
                    lq = lk = sequenceStarts[b + 1] - sequenceStarts[b];
                    firstQuery = firstKey = sequenceStarts[b];
                }
                else
                {
                    lq = queryLengths.IsEmpty ? queryCount : queryLengths[b];
                    lk = keyLengths.IsEmpty ? keyCount : keyLengths[b];
                    firstQuery = firstKey = 0;
                }

                int item = packed ? 0 : b, rows = packed ? lq : queryCount;
                float[] q = new float[lq * d], k = new float[lk * d], v = new float[lk * d];
                float[] result = new float[lq * d];
                float[] rowLogSumExp = new float[lq];
                for (int h = 0; h < heads; h++)
                {
                    int kh = h / (heads / keyValueHeads);
                    for (int j = 0; j < lk; j++)
                    {
                        key.Slice(Offset(item, kh, firstKey + j, keyValueHeads, keyCount), d).CopyTo(k.AsSpan(j * d));
                        value.Slice(Offset(item, kh, firstKey + j, keyValueHeads, keyCount), d).CopyTo(v.AsSpan(j * d));
                    }

                    for (int i = 0; i < lq; i++)
                    {
                        query.Slice(Offset(item, h, firstQuery + i, heads, queryCount), d).CopyTo(q.AsSpan(i * d));
                    }

                    ReadOnlySpan<bool> itemKeys = keyMask.IsEmpty ? default : keyMask.Slice(b * keyCount, lk);
                    ReadOnlySpan<bool> itemMask = mask.IsEmpty ? default
                        : mask.Length == queryCount * keyCount ? mask : mask.Slice(b * queryCount * keyCount, queryCount * keyCount);
                    float slope = !spec.Alibi ? 0f
                        : standardSlopes is not null ? standardSlopes[h]
                        : alibiSlopes.Length == heads ? alibiSlopes[h] : alibiSlopes[b * heads + h];
                    ReadOnlySpan<float> itemBias = bias.IsEmpty ? default
                        : bias.Length == slab ? bias
                        : bias.Length == (long)batch * slab ? bias.Slice(b * slab, slab)
                        : bias.Slice((b * heads + h) * slab, slab);
                    var scores = new ScoreArguments
                    {
                        Scale = scale,
                        AlibiSlope = slope,
                        Bias = itemBias,
                        BiasStride = keyCount,
                        HasSink = !sinks.IsEmpty,
                        Sink = sinks.IsEmpty ? 0f : sinks[h],
                    };
                    Compute(spec, q, k, v, result, rowLogSumExp, itemKeys, itemMask, keyCount, scores);
                    if (!logSumExp.IsEmpty)
                    {
                        Span<float> target = packed ? logSumExp.Slice(h * queryCount + firstQuery, lq) : logSumExp.Slice((b * heads + h) * queryCount, queryCount);
                        target.Fill(float.NegativeInfinity);
                        rowLogSumExp.CopyTo(target);
                    }

                    for (int i = 0; i < rows; i++)
                    {
                        Span<float> row = output.Slice(Offset(item, h, firstQuery + i, heads, queryCount), d);
                        if (i < lq)
                        {
                            result.AsSpan(i * d, d).CopyTo(row);
                        }
                        else
                        {
                            row.Clear();
                        }
                    }
                }
            }
        }
    }
}
