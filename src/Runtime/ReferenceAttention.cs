using System;

namespace KernelGen
{
    /// <summary>
    /// The definition of what every KernelGen kernel computes, written straight from the formula in double precision:
    /// no tiling, no online softmax, no vectors. It is slow (it stores one score row per query) and meant for checking.
    /// </summary>
    /// <remarks>
    /// For each query row i: <c>s_j = scale * dot(q_i, k_j)</c> for every key j with <see cref="AttentionSpec.IsAllowed"/>;
    /// <c>out_i = sum_j e^(s_j - max s) v_j / sum_j e^(s_j - max s)</c>; a row with no allowed key is all zeros. With
    /// score inputs (<see cref="ScoreArguments"/>) s_j gains the softcap, ALiBi and bias terms and the denominator a sink.
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
            Compute(spec, query, key, value, output, logSumExp, default, default, 0, default);

        /// <summary>
        /// Computes attention in double precision with run-time score inputs into <paramref name="output"/> ([Nq, d]) and,
        /// unless it is empty, each row's log-sum-exp into <paramref name="logSumExp"/> ([Nq]). A visible key j of row i
        /// scores <c>softcap(scale x dot(q_i, k_j)) - slope x |p(i) - j| + bias[i x BiasStride + j]</c> with
        /// <c>p(i) = i + Nk - Nq</c>: the scale is <see cref="ScoreArguments.Scale"/> unless that is 0 (then the spec's),
        /// the softcap applies when <see cref="AttentionSpec.Softcap"/> is positive, the ALiBi term (with
        /// <see cref="ScoreArguments.AlibiSlope"/>) when <see cref="AttentionSpec.Alibi"/> is set, and the bias when
        /// <see cref="ScoreArguments.Bias"/> is not empty. A bias of negative infinity hides the key like a mask. With
        /// <see cref="ScoreArguments.HasSink"/> every row's denominator and log-sum-exp gain <c>e^sink</c>, and a row with no
        /// visible key is zeros with log-sum-exp <c>sink</c> (negative infinity without a sink).
        /// </summary>
        /// <exception cref="ArgumentException">A length is not a whole number of rows, the lengths disagree, or the bias does
        /// not hold Nq rows of Nk values BiasStride apart (BiasStride at least Nk).</exception>
        public static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<double> output, Span<double> logSumExp,
            ScoreArguments scores) =>
            Compute(spec, query, key, value, output, logSumExp, default, default, 0, scores);

        /// <summary>
        /// The definition, with run-time masks and score inputs: key j is also hidden when keyMask[j] or
        /// mask[i * maskStride + j] is false, or when its bias is negative infinity.
        /// </summary>
        private static void Compute(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<double> output, Span<double> logSumExp,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ScoreArguments scores)
        {
            ArgumentNullException.ThrowIfNull(spec);
            int d = spec.HeadDimension;
            AttentionGuard.ValidateLengths(d, query.Length, key.Length, value.Length, output.Length,
                nameof(query), nameof(key), nameof(value), nameof(output), out int queryCount, out int keyCount);
            if (!logSumExp.IsEmpty && logSumExp.Length != queryCount)
            {
                throw new ArgumentException("The log-sum-exp span needs one value per query row.", nameof(logSumExp));
            }

            ReadOnlySpan<float> bias = scores.Bias;
            int biasStride = scores.BiasStride;
            if (!bias.IsEmpty && (biasStride < keyCount || (queryCount > 0 && (long)(queryCount - 1) * biasStride + keyCount > bias.Length)))
            {
                throw new ArgumentException(
                    $"The bias ({bias.Length} values, rows {biasStride} apart) must hold {queryCount} rows of {keyCount} values, with rows at least {keyCount} apart.", "bias");
            }

            // Every input widened to double; the computation below stays in double.
            double scale = scores.Scale != 0f ? scores.Scale : spec.Scale;
            double cap = spec.Softcap;
            double slope = scores.AlibiSlope;
            double sink = scores.Sink;

            double[] rowScores = new double[keyCount];
            for (int i = 0; i < queryCount; i++)
            {
                ReadOnlySpan<float> q = query.Slice(i * d, d);
                double max = double.NegativeInfinity;
                for (int j = 0; j < keyCount; j++)
                {
                    // A bias of -inf hides the key exactly like a mask: neither its key nor its value row is read.
                    if (!spec.IsAllowed(i, j, queryCount, keyCount) || (!keyMask.IsEmpty && !keyMask[j]) || (!mask.IsEmpty && !mask[i * maskStride + j])
                        || (!bias.IsEmpty && float.IsNegativeInfinity(bias[i * biasStride + j])))
                    {
                        rowScores[j] = double.NegativeInfinity;
                        continue;
                    }

                    ReadOnlySpan<float> k = key.Slice(j * d, d);
                    double dot = 0;
                    for (int c = 0; c < d; c++)
                    {
                        dot += (double)q[c] * k[c];
                    }

                    double score = scale * dot;
                    if (cap > 0)
                    {
                        score = cap * Math.Tanh(score / cap);
                    }

                    if (spec.Alibi)
                    {
                        long position = (long)i + keyCount - queryCount;
                        score -= slope * Math.Abs(position - j);
                    }

                    if (!bias.IsEmpty)
                    {
                        score += bias[i * biasStride + j];
                    }

                    // Scores are float32 in the contract: one past float32's range is the infinity it rounds to there.
                    if (double.IsFinite(score) && float.IsInfinity((float)score))
                    {
                        score = (float)score;
                    }

                    rowScores[j] = score;
                    max = Math.Max(max, score); // NaN stays NaN, so a NaN score makes a NaN row
                }

                Span<double> row = output.Slice(i * d, d);
                row.Clear();
                if (!logSumExp.IsEmpty)
                {
                    logSumExp[i] = scores.HasSink ? sink : double.NegativeInfinity;
                }

                if (double.IsNegativeInfinity(max))
                {
                    continue; // no visible key: zeros (log-sum-exp: ln e^sink, or -inf without a sink)
                }

                if (double.IsPositiveInfinity(max))
                {
                    // The limit as those scores grow: the keys whose score is +inf share the weight equally, every other
                    // key and the sink get 0; log-sum-exp is +inf.
                    int infinite = 0;
                    for (int j = 0; j < keyCount; j++)
                    {
                        if (double.IsPositiveInfinity(rowScores[j]))
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
                        logSumExp[i] = double.PositiveInfinity;
                    }

                    continue;
                }

                // Exponents are taken relative to the largest term of the denominator, the sink included.
                double shift = scores.HasSink ? Math.Max(max, sink) : max;
                double sum = 0;
                for (int j = 0; j < keyCount; j++)
                {
                    if (double.IsNegativeInfinity(rowScores[j]))
                    {
                        continue;
                    }

                    double weight = Math.Exp(rowScores[j] - shift);
                    sum += weight;
                    ReadOnlySpan<float> v = value.Slice(j * d, d);
                    for (int c = 0; c < d; c++)
                    {
                        row[c] += weight * v[c];
                    }
                }

                if (scores.HasSink)
                {
                    sum += Math.Exp(sink - shift); // the sink weighs in the denominator and carries no value
                }

                for (int c = 0; c < d; c++)
                {
                    row[c] /= sum;
                }

                if (!logSumExp.IsEmpty)
                {
                    logSumExp[i] = shift + Math.Log(sum);
                }
            }
        }

        /// <summary>
        /// Batched multi-head attention in double precision, straight from the definition: for batch item b, query head h
        /// (reading key/value head h / (Heads / KeyValueHeads)) and query position i &lt; Lq(b), the single-head formula
        /// over the keys j &lt; Lk(b) with the mask evaluated for Lq(b) queries and Lk(b) keys (positions count valid
        /// tokens); rows i &gt;= Lq(b) are zeros. Lengths default to Nq and Nk when their span is empty. With
        /// <paramref name="sequenceStarts"/> the items are packed ([total, H, d]) and item b has rows
        /// sequenceStarts[b] .. sequenceStarts[b + 1] for its queries and keys alike; with
        /// <paramref name="querySequenceStarts"/> and <paramref name="keySequenceStarts"/> instead, its queries are rows
        /// querySequenceStarts[b] .. querySequenceStarts[b + 1] of query and output ([totalQ, H, d]) and its keys rows
        /// keySequenceStarts[b] .. keySequenceStarts[b + 1] of key and value ([totalK, KVH, d]). <paramref name="logSumExp"/>,
        /// unless empty, receives each row's log-sum-exp: [B, H, Nq] with -inf for padding rows, or [H, totalQ] when packed.
        /// </summary>
        /// <remarks>
        /// The score inputs, as in the single-head <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, Span{double}, ScoreArguments)"/>:
        /// <paramref name="scale"/> replaces the spec's scale when it is not 0. With <see cref="AttentionSpec.Alibi"/> head h
        /// uses <paramref name="alibiSlopes"/> ([H], or [B, H] per item) or, when that is empty, the standard slopes
        /// (<see cref="AlibiSlopes.Standard"/>). <paramref name="bias"/> is [Nq, Nk] (every item and head), [B, Nq, Nk]
        /// (per item) or [B, H, Nq, Nk], with the padded Nq and Nk: item b's row i, key j sits at i x Nk + j of its slab;
        /// not with packed items. <paramref name="sinks"/> ([H]) adds head h's sink to each denominator. Padding rows stay
        /// zeros with log-sum-exp -inf, sink or not.
        /// </remarks>
        /// <exception cref="ArgumentException">A span does not match the batched shape, or the arguments conflict (the
        /// exception names the parameter).</exception>
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
            ReadOnlySpan<bool> mask = default,
            ReadOnlySpan<int> querySequenceStarts = default,
            ReadOnlySpan<int> keySequenceStarts = default,
            float scale = 0f,
            ReadOnlySpan<float> alibiSlopes = default,
            ReadOnlySpan<float> bias = default,
            ReadOnlySpan<float> sinks = default)
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

            // Packed with separate query and key rows: both offset spans, and none of the padded-batch inputs.
            bool separateStarts = !querySequenceStarts.IsEmpty || !keySequenceStarts.IsEmpty;
            if (separateStarts)
            {
                if (querySequenceStarts.IsEmpty)
                {
                    throw new ArgumentException("keySequenceStarts needs querySequenceStarts.", nameof(querySequenceStarts));
                }

                if (keySequenceStarts.IsEmpty)
                {
                    throw new ArgumentException("querySequenceStarts needs keySequenceStarts.", nameof(keySequenceStarts));
                }

                if (!sequenceStarts.IsEmpty)
                {
                    throw new ArgumentException("sequenceStarts cannot be combined with querySequenceStarts and keySequenceStarts.", nameof(sequenceStarts));
                }

                if (!keyLengths.IsEmpty)
                {
                    throw new ArgumentException("Packed items take no keyLengths.", nameof(keyLengths));
                }

                if (!queryLengths.IsEmpty)
                {
                    throw new ArgumentException("Packed items take no queryLengths.", nameof(queryLengths));
                }

                if (!keyMask.IsEmpty)
                {
                    throw new ArgumentException("Packed items take no keyMask.", nameof(keyMask));
                }

                if (!mask.IsEmpty)
                {
                    throw new ArgumentException("Packed items take no mask.", nameof(mask));
                }
            }

            // Packed ([total, H, d]): item b is rows sequenceStarts[b] .. sequenceStarts[b + 1] of one long sequence
            // (or its own query and key rows with the separate starts).
            bool packed = !sequenceStarts.IsEmpty || separateStarts;
            if (!spec.Alibi && !alibiSlopes.IsEmpty)
            {
                throw new ArgumentException("alibiSlopes needs a spec with ALiBi.", nameof(alibiSlopes));
            }

            if (!alibiSlopes.IsEmpty && alibiSlopes.Length != heads && alibiSlopes.Length != (long)batch * heads)
            {
                throw new ArgumentException($"alibiSlopes holds {alibiSlopes.Length} slopes; it needs [H] = {heads} or [B, H] = {(long)batch * heads}.", nameof(alibiSlopes));
            }

            if (packed && !bias.IsEmpty)
            {
                throw new ArgumentException("Packed items take no bias.", nameof(bias));
            }

            if (!sinks.IsEmpty && sinks.Length != heads)
            {
                throw new ArgumentException($"sinks holds {sinks.Length} values; it needs one per query head ({heads}).", nameof(sinks));
            }

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
                || (long)keyCount * items * keyValueHeads * d != key.Length || (!sequenceStarts.IsEmpty && keyCount != queryCount))
            {
                throw new ArgumentException("The spans do not match the batched shape.", nameof(query));
            }

            if (!sequenceStarts.IsEmpty && (sequenceStarts.Length != batch + 1 || sequenceStarts[0] != 0 || sequenceStarts[batch] != queryCount))
            {
                throw new ArgumentException("sequenceStarts must hold batch + 1 offsets from 0 to the packed row count.", nameof(sequenceStarts));
            }

            if (separateStarts)
            {
                CheckStarts(querySequenceStarts, batch, queryCount, nameof(querySequenceStarts));
                CheckStarts(keySequenceStarts, batch, keyCount, nameof(keySequenceStarts));
            }

            CheckLengths(keyLengths, batch, keyCount, nameof(keyLengths));
            CheckLengths(queryLengths, batch, queryCount, nameof(queryLengths));
            if (!logSumExp.IsEmpty && logSumExp.Length != (long)heads * (packed ? queryCount : (long)batch * queryCount))
            {
                throw new ArgumentException("The log-sum-exp span needs one value per query row and head.", nameof(logSumExp));
            }

            // The bias slabs are [Nq, Nk] with the padded counts: shared, one per item, or one per item and head.
            long slab = (long)queryCount * keyCount;
            if (!bias.IsEmpty && bias.Length != slab && bias.Length != (long)batch * slab && bias.Length != (long)batch * heads * slab)
            {
                throw new ArgumentException(
                    $"bias holds {bias.Length} values; it needs [Nq, Nk] = {slab}, [B, Nq, Nk] = {(long)batch * slab} or [B, H, Nq, Nk] = {(long)batch * heads * slab}.", nameof(bias));
            }

            float[]? standardSlopes = spec.Alibi && alibiSlopes.IsEmpty ? AlibiSlopes.Standard(heads) : null;

            // Written out here rather than shared with the kernels' driver, so a layout mistake there cannot hide.
            int Offset(int item, int head, int position, int headCount, int positions) => layout == AttentionLayout.BatchHeadSeqDim
                ? ((item * headCount + head) * positions + position) * d
                : ((item * positions + position) * headCount + head) * d;

            // Each (item, head) is the single-head definition on its valid rows: gather them, compute, scatter.
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

                if (lq < 0)
                {
                    throw new ArgumentException("sequenceStarts must not decrease.", nameof(sequenceStarts));
                }

                int item = packed ? 0 : b, rows = packed ? lq : queryCount;
                float[] q = new float[lq * d], k = new float[lk * d], v = new float[lk * d];
                double[] result = new double[lq * d];
                double[] rowLogSumExp = new double[lq];
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

                    // Run-time masks: the item's key flags ([B, Nk]) and its mask rows ([B, Nq, Nk] or one shared [Nq, Nk]).
                    ReadOnlySpan<bool> itemKeys = keyMask.IsEmpty ? default : keyMask.Slice(b * keyCount, lk);
                    ReadOnlySpan<bool> itemMask = mask.IsEmpty ? default
                        : mask.Length == (long)queryCount * keyCount ? mask : mask.Slice((int)((long)b * queryCount * keyCount), queryCount * keyCount);

                    // Score inputs: the head's slope ([H] or [B, H], else standard), its bias slab (row i at i x Nk) and sink.
                    float slope = !spec.Alibi ? 0f
                        : standardSlopes is not null ? standardSlopes[h]
                        : alibiSlopes.Length == heads ? alibiSlopes[h] : alibiSlopes[b * heads + h];
                    ReadOnlySpan<float> itemBias = bias.IsEmpty ? default
                        : bias.Length == slab ? bias
                        : bias.Length == (long)batch * slab ? bias.Slice((int)(b * slab), (int)slab)
                        : bias.Slice((int)(((long)b * heads + h) * slab), (int)slab);
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
                        // [B, H, Nq] (padding rows: -inf), or [H, totalQ] when packed.
                        Span<double> target = packed ? logSumExp.Slice(h * queryCount + firstQuery, lq) : logSumExp.Slice((b * heads + h) * queryCount, queryCount);
                        target.Fill(double.NegativeInfinity);
                        rowLogSumExp.CopyTo(target);
                    }

                    for (int i = 0; i < rows; i++)
                    {
                        Span<double> row = output.Slice(Offset(item, h, firstQuery + i, heads, queryCount), d);
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

        private static void CheckStarts(ReadOnlySpan<int> starts, int batch, int total, string name)
        {
            if (starts.Length != batch + 1 || starts[0] != 0 || starts[batch] != total)
            {
                throw new ArgumentException($"{name} must hold batch + 1 = {batch + 1} offsets from 0 to the packed row count {total}.", name);
            }

            for (int b = 0; b < batch; b++)
            {
                if (starts[b + 1] < starts[b])
                {
                    throw new ArgumentException($"{name} must not decrease ({name}[{b + 1}] = {starts[b + 1]} < {starts[b]}).", name);
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
