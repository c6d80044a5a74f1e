using System;
using System.Diagnostics.CodeAnalysis;
using KernelGen.Engine;

namespace KernelGen
{
    // Batched multi-head calls of the reference: each (item, head) is the single-head definition over its valid rows.
    public static partial class ReferenceAttention
    {
        /// <summary>
        /// Batched multi-head attention in double precision with the heads and layout the spec carries
        /// (<see cref="AttentionSpec.Heads"/>, <see cref="AttentionSpec.KeyValueHeads"/>, <see cref="AttentionSpec.Layout"/>):
        /// a generated kernel's <c>&lt;MethodName&gt;Spec</c> checks its kernel in one call. Everything else is as in
        /// <see cref="ComputeBatched(AttentionSpec, AttentionLayout, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{double}, ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{int}, ReadOnlySpan{int}, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
        /// </summary>
        /// <exception cref="ArgumentException">A span does not match the batched shape, or the arguments conflict (the
        /// exception names the parameter).</exception>
        [SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in their required parameters (int batch against AttentionLayout layout), so no call is ambiguous.")]
        public static void ComputeBatched(
            AttentionSpec spec,
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
            ComputeBatched(spec, spec.Layout, spec.Heads, spec.KeyValueHeads, batch, query, key, value, output, keyLengths, queryLengths, sequenceStarts, logSumExp,
                keyMask, mask, querySequenceStarts, keySequenceStarts, scale, alibiSlopes, bias, sinks);
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
        [SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in their required parameters (int batch against AttentionLayout layout), so no call is ambiguous.")]
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
    }
}
