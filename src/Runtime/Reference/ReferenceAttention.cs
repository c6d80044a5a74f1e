using System;
using KernelGen.Engine;

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
    public static partial class ReferenceAttention
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
                    $"The bias ({bias.Length} values, rows {biasStride} apart) must hold {queryCount} rows of {keyCount} values, with rows at least {keyCount} apart.", RuntimeParameterNames.Bias);
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
