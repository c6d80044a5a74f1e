using System;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The score terms of issue 13 (softcap, ALiBi, bias, sinks, run-time scale, packed items with separate query and key
    /// rows) in the reference, each checked against the formula written out here on a few rows of d = 2.
    /// </summary>
    public sealed class ReferenceScoreTests
    {
        private const double Tolerance = 1e-12;

        [Fact]
        public void Softcap_CapsTheScaledScore()
        {
            var spec = new AttentionSpec(2, scale: 1f, softcap: 2f);
            float[] q = { 1f, 2f };
            float[] k = { 1f, 0f, 0.5f, 1f };       // dots 1 and 2.5
            float[] v = { 1f, 2f, 3f, -1f };
            var (expected, expectedLse) = Softmax(new[] { 2 * Math.Tanh(1 / 2.0), 2 * Math.Tanh(2.5 / 2) }, Rows(v, 2));

            double[] output = new double[2], lse = new double[1];
            ReferenceAttention.Compute(spec, q, k, v, output, lse, default(ScoreArguments));
            AssertClose(expected, output);
            AssertClose(new[] { expectedLse }, lse);

            // The spec carries the cap, so the older overloads apply it too, with the same arithmetic.
            double[] plain = new double[2], plainLse = new double[1];
            ReferenceAttention.Compute(spec, q, k, v, plain, plainLse);
            Assert.Equal(output, plain);
            Assert.Equal(lse, plainLse);

            // A run-time scale applies before the cap: 2 tanh(0.5 x dot / 2).
            (expected, expectedLse) = Softmax(new[] { 2 * Math.Tanh(0.5 / 2), 2 * Math.Tanh(1.25 / 2) }, Rows(v, 2));
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { Scale = 0.5f });
            AssertClose(expected, output);
            AssertClose(new[] { expectedLse }, lse);
        }

        [Fact]
        public void RunTimeScale_ReplacesTheSpecScale_AndZeroKeepsIt()
        {
            var spec = new AttentionSpec(2, scale: 1f);
            float[] q = { 1f, 1f };
            float[] k = { 1f, 0f, 0f, 2f };         // dots 1 and 2
            float[] v = { 4f, 0f, 0f, 8f };
            var (expected, expectedLse) = Softmax(new[] { 0.25, 0.5 }, Rows(v, 2));

            double[] output = new double[2], lse = new double[1];
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { Scale = 0.25f });
            AssertClose(expected, output);
            AssertClose(new[] { expectedLse }, lse);

            double[] batched = new double[2], batchedLse = new double[1];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, 1, 1, 1, q, k, v, batched, logSumExp: batchedLse, scale: 0.25f);
            Assert.Equal(output, batched);
            Assert.Equal(lse, batchedLse);

            // Scale 0 is the spec's scale: exactly the result of the overload without score inputs.
            double[] plain = new double[2], plainLse = new double[1];
            ReferenceAttention.Compute(spec, q, k, v, plain, plainLse);
            ReferenceAttention.Compute(spec, q, k, v, output, lse, default(ScoreArguments));
            Assert.Equal(plain, output);
            Assert.Equal(plainLse, lse);
            (expected, expectedLse) = Softmax(new[] { 1.0, 2.0 }, Rows(v, 2));
            AssertClose(expected, plain);
        }

        [Fact]
        public void Alibi_StandardSlopes_EqualExplicitOnes_AndFollowTheFormula()
        {
            // H = 2, B = 1, Nq = Nk = 2, [B, H, N, d]. The standard slopes of 2 heads are 2^-4 and 2^-8.
            const int H = 2, N = 2, D = 2;
            var spec = new AttentionSpec(D, scale: 1f, alibi: true);
            float[] q = Data(H * N * D, 1), k = Data(H * N * D, 2), v = Data(H * N * D, 3);

            double[] standard = new double[H * N * D], standardLse = new double[H * N];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, H, 1, q, k, v, standard, logSumExp: standardLse);
            var (expected, expectedLse) = AlibiExpected(1, H, N, q, k, v, new[] { 0.0625, 0.00390625 });
            AssertClose(expected, standard);
            AssertClose(expectedLse, standardLse);

            double[] output = new double[H * N * D], lse = new double[H * N];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, H, 1, q, k, v, output, logSumExp: lse, alibiSlopes: new[] { 0.0625f, 0.00390625f });
            Assert.Equal(standard, output);
            Assert.Equal(standardLse, lse);

            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, H, 1, q, k, v, output, logSumExp: lse, alibiSlopes: new[] { 0.5f, 2f });
            (expected, expectedLse) = AlibiExpected(1, H, N, q, k, v, new[] { 0.5, 2 });
            AssertClose(expected, output);
            AssertClose(expectedLse, lse);
        }

        [Fact]
        public void Alibi_PerItemSlopes()
        {
            // [B, H] slopes: item 0 uses 0.5 and 2, item 1 uses 1 and 0.25.
            const int B = 2, H = 2, N = 2, D = 2;
            var spec = new AttentionSpec(D, scale: 1f, alibi: true);
            float[] q = Data(B * H * N * D, 4), k = Data(B * H * N * D, 5), v = Data(B * H * N * D, 6);
            double[] output = new double[B * H * N * D], lse = new double[B * H * N];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, H, B, q, k, v, output, logSumExp: lse, alibiSlopes: new[] { 0.5f, 2f, 1f, 0.25f });
            var (expected, expectedLse) = AlibiExpected(B, H, N, q, k, v, new[] { 0.5, 2, 1, 0.25 });
            AssertClose(expected, output);
            AssertClose(expectedLse, lse);
        }

        [Theory]
        [InlineData(1, 3)] // decode: p(0) = 2, distances 2, 1, 0
        [InlineData(2, 3)] // p(i) = i + 1
        [InlineData(3, 1)] // p(i) = i - 2, distances 2, 1, 0
        public void Alibi_DistanceUsesTheShiftedPosition(int nq, int nk)
        {
            var spec = new AttentionSpec(2, scale: 1f, alibi: true);
            float[] q = Data(nq * 2, 7), k = Data(nk * 2, 8), v = Data(nk * 2, 9);
            double[] output = new double[nq * 2], lse = new double[nq];
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { AlibiSlope = 0.5f });
            for (int i = 0; i < nq; i++)
            {
                int p = i + nk - nq;
                double[] s = new double[nk];
                for (int j = 0; j < nk; j++)
                {
                    s[j] = Dot(q, i, k, j, 2) - 0.5 * Math.Abs(p - j);
                }

                var (expected, expectedLse) = Softmax(s, Rows(v, 2));
                AssertClose(expected, output.AsSpan(i * 2, 2));
                AssertClose(new[] { expectedLse }, lse.AsSpan(i, 1));
            }
        }

        [Theory]
        [InlineData(1)] // [Nq, Nk]
        [InlineData(2)] // [B, Nq, Nk]
        [InlineData(4)] // [B, H, Nq, Nk]
        public void Bias_EveryShape_WithPaddingLengths(int slabs)
        {
            // B = 2, H = 2, KVH = 1, Nq = 2, Nk = 3, [B, H, N, d]; item 0 has 1 query and 3 keys, item 1 2 queries and 2 keys
            // (so its row 1 bias starts at 3 = Nk, not at its key count). Padding rows and keys are NaN, so reading one would show.
            const int B = 2, H = 2, Nq = 2, Nk = 3, D = 2;
            int[] queryLengths = { 1, 2 }, keyLengths = { 3, 2 };
            var spec = new AttentionSpec(D, scale: 1f);
            float[] q = Data(B * H * Nq * D, 10), k = Data(B * Nk * D, 11), v = Data(B * Nk * D, 12);
            q.AsSpan(((0 * H + 0) * Nq + 1) * D, D).Fill(float.NaN);
            q.AsSpan(((0 * H + 1) * Nq + 1) * D, D).Fill(float.NaN);
            k.AsSpan((1 * Nk + 2) * D, D).Fill(float.NaN);
            v.AsSpan((1 * Nk + 2) * D, D).Fill(float.NaN);
            float[] bias = Enumerable.Range(0, slabs * Nq * Nk).Select(n => 0.125f * ((n * 5 % 9) - 4)).ToArray();

            double[] output = new double[B * H * Nq * D], lse = new double[B * H * Nq];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, 1, B, q, k, v, output, keyLengths, queryLengths, logSumExp: lse, bias: bias);
            for (int b = 0; b < B; b++)
            {
                for (int h = 0; h < H; h++)
                {
                    int slab = slabs == 1 ? 0 : slabs == 2 ? b : b * H + h;
                    for (int i = 0; i < Nq; i++)
                    {
                        int row = (b * H + h) * Nq + i;
                        if (i >= queryLengths[b])
                        {
                            AssertClose(new double[D], output.AsSpan(row * D, D));
                            Assert.Equal(double.NegativeInfinity, lse[row]);
                            continue;
                        }

                        double[] s = new double[keyLengths[b]];
                        for (int j = 0; j < s.Length; j++)
                        {
                            s[j] = Dot(q, row, k, b * Nk + j, D) + bias[slab * Nq * Nk + i * Nk + j]; // padded stride Nk
                        }

                        var (expected, expectedLse) = Softmax(s, Rows(v.AsSpan(b * Nk * D, s.Length * D).ToArray(), D));
                        AssertClose(expected, output.AsSpan(row * D, D));
                        AssertClose(new[] { expectedLse }, lse.AsSpan(row, 1));
                    }
                }
            }
        }

        [Fact]
        public void NegativeInfinityBias_HidesTheKey_EvenWithNaNKeyAndValue()
        {
            var spec = new AttentionSpec(2, scale: 1f);
            float[] q = { 1f, -1f };
            float[] k = { 0.5f, 0f, float.NaN, float.NaN, 1f, 1f };
            float[] v = { 2f, 1f, float.NaN, float.NaN, -1f, 3f };
            float[] bias = { 0.25f, float.NegativeInfinity, -0.5f };
            var (expected, expectedLse) = Softmax(new[] { 0.5 + 0.25, 0 - 0.5 }, new[] { new double[] { 2, 1 }, new double[] { -1, 3 } });

            double[] output = new double[2], lse = new double[1];
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { Bias = bias, BiasStride = 3 });
            AssertClose(expected, output);
            AssertClose(new[] { expectedLse }, lse);

            // The same as hiding the key with a key mask.
            double[] masked = new double[2], maskedLse = new double[1];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, 1, 1, 1, q, k, v, masked, logSumExp: maskedLse,
                keyMask: new[] { true, false, true }, bias: new[] { 0.25f, 0f, -0.5f });
            Assert.Equal(masked, output);
            Assert.Equal(maskedLse, lse);
        }

        [Fact]
        public void NaNBias_GivesANaNRow_AndOnlyThatRow()
        {
            var spec = new AttentionSpec(2, scale: 1f);
            float[] q = { 1f, 0f, 0f, 1f };
            float[] k = { 1f, 1f, 2f, 0f };
            float[] v = { 1f, 2f, 3f, 4f };
            float[] bias = { float.NaN, 0f, 0f, 0f };  // row 0, key 0
            double[] output = new double[4], lse = new double[2];
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { Bias = bias, BiasStride = 2 });
            Assert.True(double.IsNaN(output[0]) && double.IsNaN(output[1]) && double.IsNaN(lse[0]));
            var (expected, expectedLse) = Softmax(new[] { 1.0, 0.0 }, Rows(v, 2));
            AssertClose(expected, output.AsSpan(2, 2));
            AssertClose(new[] { expectedLse }, lse.AsSpan(1, 1));
        }

        [Fact]
        public void Sink_JoinsTheDenominator_AndALargeSinkStaysFinite()
        {
            var spec = new AttentionSpec(2, scale: 1f);
            float[] q = { 1f, 2f };
            float[] k = { 1f, 0f, 0f, 1f };         // scores 1 and 2
            float[] v = { 1f, -2f, 3f, 5f };
            double[] output = new double[2], lse = new double[1];
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { HasSink = true, Sink = 0.3f });
            double sum = Math.Exp(1) + Math.Exp(2) + Math.Exp((double)0.3f);
            AssertClose(new[] { (Math.Exp(1) * 1 + Math.Exp(2) * 3) / sum, (Math.Exp(1) * -2 + Math.Exp(2) * 5) / sum }, output);
            AssertClose(new[] { Math.Log(sum) }, lse);

            // e^800 overflows a double; the result does not: weights e^(s - 800) / (1 + ...) (both underflow to 0), log-sum-exp
            // 800 + ln(1 + ...) rather than infinity.
            ReferenceAttention.Compute(spec, q, k, v, output, lse, new ScoreArguments { HasSink = true, Sink = 800f });
            double w1 = Math.Exp(1 - 800.0), w2 = Math.Exp(2 - 800.0), total = 1 + w1 + w2;
            AssertClose(new[] { (w1 * 1 + w2 * 3) / total, (w1 * -2 + w2 * 5) / total }, output);
            AssertClose(new[] { 800 + Math.Log(total) }, lse);
        }

        [Fact]
        public void Sinks_Batched_EmptyRowIsZerosWithTheSink_PaddingRowIsZerosWithMinusInfinity()
        {
            // B = 2, H = 2, Nq = 3, Nk = 2, causal. Item 0 (3 queries, 2 keys): p(i) = i - 1, so row 0 sees no key.
            // Item 1 (2 queries, 2 keys): row 2 is padding.
            const int B = 2, H = 2, Nq = 3, Nk = 2, D = 2;
            int[] queryLengths = { 3, 2 };
            float[] sinks = { 0.5f, -1f };
            var spec = new AttentionSpec(D, scale: 1f, causal: true);
            float[] q = Data(B * H * Nq * D, 13), k = Data(B * H * Nk * D, 14), v = Data(B * H * Nk * D, 15);
            double[] output = new double[B * H * Nq * D], lse = new double[B * H * Nq];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, H, H, B, q, k, v, output, queryLengths: queryLengths, logSumExp: lse, sinks: sinks);
            for (int b = 0; b < B; b++)
            {
                for (int h = 0; h < H; h++)
                {
                    for (int i = 0; i < Nq; i++)
                    {
                        int row = (b * H + h) * Nq + i;
                        if (i >= queryLengths[b])
                        {
                            AssertClose(new double[D], output.AsSpan(row * D, D));
                            Assert.Equal(double.NegativeInfinity, lse[row]);
                            continue;
                        }

                        int visible = Math.Max(0, Math.Min(Nk, i + Nk - queryLengths[b] + 1)); // causal: j <= p(i)
                        double[] s = new double[visible];
                        for (int j = 0; j < visible; j++)
                        {
                            s[j] = Dot(q, row, k, (b * H + h) * Nk + j, D);
                        }

                        var (expected, expectedLse) = Softmax(s, Rows(v.AsSpan((b * H + h) * Nk * D, visible * D).ToArray(), D), sinks[h]);
                        AssertClose(expected, output.AsSpan(row * D, D));
                        AssertClose(new[] { expectedLse }, lse.AsSpan(row, 1));
                    }
                }
            }

            // The row that sees nothing: zeros, log-sum-exp = the sink.
            AssertClose(new double[D], output.AsSpan(0, D));
            Assert.Equal((double)sinks[0], lse[0]);
            Assert.Equal((double)sinks[1], lse[Nq]);
        }

        [Fact]
        public void Packed_SeparateQueryAndKeyRows_EqualTheItemsOneByOne()
        {
            // Items of (queries, keys) = (2, 3), (1, 0), (3, 4); H = 2, KVH = 1, every term but the bias.
            const int H = 2, D = 2;
            int[] queryStarts = { 0, 2, 3, 6 }, keyStarts = { 0, 3, 3, 7 };
            int totalQ = 6, totalK = 7, batch = 3;
            var spec = new AttentionSpec(D, causal: true, softcap: 3f, alibi: true);
            float[] slopes = { 0.5f, 0.25f, 1f, 2f, 0.125f, 0.75f };
            float[] sinks = { 0.25f, -0.5f };
            float[] q = Data(totalQ * H * D, 16), k = Data(totalK * D, 17), v = Data(totalK * D, 18);
            double[] output = new double[totalQ * H * D], lse = new double[H * totalQ];
            ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, 1, batch, q, k, v, output, logSumExp: lse,
                querySequenceStarts: queryStarts, keySequenceStarts: keyStarts, scale: 0.7f, alibiSlopes: slopes, sinks: sinks);

            for (int b = 0; b < batch; b++)
            {
                int lq = queryStarts[b + 1] - queryStarts[b], lk = keyStarts[b + 1] - keyStarts[b];
                double[] itemOutput = new double[lq * H * D], itemLse = new double[H * lq];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, H, 1, 1,
                    q.AsSpan(queryStarts[b] * H * D, lq * H * D), k.AsSpan(keyStarts[b] * D, lk * D), v.AsSpan(keyStarts[b] * D, lk * D), itemOutput,
                    logSumExp: itemLse, scale: 0.7f, alibiSlopes: slopes.AsSpan(b * H, H), sinks: sinks);
                Assert.Equal(itemOutput, output.AsSpan(queryStarts[b] * H * D, lq * H * D).ToArray());
                for (int h = 0; h < H; h++)
                {
                    Assert.Equal(itemLse.AsSpan(h * lq, lq).ToArray(), lse.AsSpan(h * totalQ + queryStarts[b], lq).ToArray());
                }
            }

            // The item without keys: zeros, log-sum-exp = each head's sink.
            AssertClose(new double[H * D], output.AsSpan(2 * H * D, H * D));
            Assert.Equal(new double[] { 0.25, -0.5 }, new[] { lse[2], lse[totalQ + 2] });

            // One row written out: item 2, head 1, query 1 (p = 2): keys 0..2, softcap(0.7 dot) - 0.75 |2 - j|.
            double[] s = new double[3];
            for (int j = 0; j < 3; j++)
            {
                s[j] = 3 * Math.Tanh((double)0.7f * Dot(q, (3 + 1) * H + 1, k, 3 + j, D) / 3) - 0.75 * Math.Abs(2 - j);
            }

            var (expected, expectedLse) = Softmax(s, Rows(v.AsSpan(3 * D, 3 * D).ToArray(), D), -0.5);
            AssertClose(expected, output.AsSpan(((3 + 1) * H + 1) * D, D));
            AssertClose(new[] { expectedLse }, lse.AsSpan(totalQ + 3 + 1, 1));
        }

        [Fact]
        public void Spec_SoftcapAndAlibi()
        {
            var plain = new AttentionSpec(4);
            Assert.Equal(0f, plain.Softcap);
            Assert.False(plain.Alibi);
            var spec = AttentionSpec.FromAttributes(new AttentionKernelAttribute(4), new CausalMaskAttribute(), softcap: new SoftcapAttribute(50f), alibi: new AlibiAttribute());
            Assert.Equal(50f, spec.Softcap);
            Assert.True(spec.Alibi && spec.Causal);
            Assert.Equal("softcap", Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, softcap: -1f)).ParamName);
            Assert.Equal("softcap", Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, softcap: float.NaN)).ParamName);
            Assert.Equal("softcap", Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, softcap: float.PositiveInfinity)).ParamName);
            Assert.Equal("softcap", Assert.Throws<ArgumentOutOfRangeException>(() => AttentionSpec.FromAttributes(new AttentionKernelAttribute(4), softcap: new SoftcapAttribute(0f))).ParamName);
        }

        [Fact]
        public void ArgumentErrors_NameTheParameter()
        {
            var spec = new AttentionSpec(2);
            var alibi = new AttentionSpec(2, alibi: true);
            float[] q = new float[2 * 2], k = new float[3 * 2], v = new float[3 * 2];
            double[] o = new double[4];

            // Single head, Nq = 2, Nk = 3: the bias needs 2 rows of 3 with a stride of 3 or more.
            Assert.Equal("bias", Assert.ThrowsAny<ArgumentException>(() => ReferenceAttention.Compute(spec, q, k, v, o, default, new ScoreArguments { Bias = new float[6], BiasStride = 2 })).ParamName);
            Assert.Equal("bias", Assert.ThrowsAny<ArgumentException>(() => ReferenceAttention.Compute(spec, q, k, v, o, default, new ScoreArguments { Bias = new float[6], BiasStride = 4 })).ParamName);
            ReferenceAttention.Compute(spec, q, k, v, o, default, new ScoreArguments { Bias = new float[7], BiasStride = 4 }); // the last row needs only Nk values

            // Batched, H = 1, B = 1, Nq = 2, Nk = 3.
            string Batched(AttentionSpec s, int[]? keyLengths = null, int[]? queryLengths = null, int[]? starts = null, bool[]? keyMask = null, bool[]? mask = null,
                int[]? queryStarts = null, int[]? keyStarts = null, float[]? slopes = null, float[]? bias = null, float[]? sinks = null, int batch = 1) =>
                Assert.ThrowsAny<ArgumentException>(() => ReferenceAttention.ComputeBatched(s, AttentionLayout.BatchSeqHeadDim, 1, 1, batch, q, k, v, o,
                    keyLengths, queryLengths, starts, default, keyMask, mask, queryStarts, keyStarts, 0f, slopes, bias, sinks)).ParamName!;

            int[] qs = { 0, 2 }, ks = { 0, 3 };
            Assert.Equal("keySequenceStarts", Batched(spec, queryStarts: qs));
            Assert.Equal("querySequenceStarts", Batched(spec, keyStarts: ks));
            Assert.Equal("sequenceStarts", Batched(spec, queryStarts: qs, keyStarts: ks, starts: new[] { 0, 2 }));
            Assert.Equal("keyLengths", Batched(spec, queryStarts: qs, keyStarts: ks, keyLengths: new[] { 3 }));
            Assert.Equal("queryLengths", Batched(spec, queryStarts: qs, keyStarts: ks, queryLengths: new[] { 2 }));
            Assert.Equal("keyMask", Batched(spec, queryStarts: qs, keyStarts: ks, keyMask: new bool[3]));
            Assert.Equal("mask", Batched(spec, queryStarts: qs, keyStarts: ks, mask: new bool[6]));
            Assert.Equal("querySequenceStarts", Batched(spec, queryStarts: new[] { 0, 1 }, keyStarts: ks));
            Assert.Equal("keySequenceStarts", Batched(spec, queryStarts: qs, keyStarts: new[] { 1, 3 }));
            Assert.Equal("keySequenceStarts", Batched(spec, queryStarts: new[] { 0, 1, 2 }, keyStarts: new[] { 0, 4, 3 }, batch: 2));
            Assert.Equal("alibiSlopes", Batched(spec, slopes: new[] { 0.5f }));
            Assert.Equal("alibiSlopes", Batched(alibi, slopes: new[] { 0.5f, 0.25f }));
            Assert.Equal("bias", Batched(spec, bias: new float[5]));
            Assert.Equal("bias", Batched(spec, queryStarts: qs, keyStarts: ks, bias: new float[6]));
            Assert.Equal("bias", Batched(spec, starts: new[] { 0, 2 }, bias: new float[6]));
            Assert.Equal("sinks", Batched(spec, sinks: new float[2]));
        }

        [Fact]
        public void AlibiSlopes_EightHeads_AreThePowersOfOneHalf()
        {
            Assert.Equal(new[] { 1f / 2, 1f / 4, 1f / 8, 1f / 16, 1f / 32, 1f / 64, 1f / 128, 1f / 256 }, AlibiSlopes.Standard(8));
        }

        [Fact]
        public void AlibiSlopes_TwelveHeads_AreTheEightThenEveryOtherOfSixteen()
        {
            float[] expected = AlibiSlopes.Standard(8)
                .Concat(new[] { -0.5, -1.5, -2.5, -3.5 }.Select(e => (float)Math.Pow(2, e)))
                .ToArray();
            Assert.Equal(expected, AlibiSlopes.Standard(12));
        }

        [Fact]
        public void AlibiSlopes_OneHead_IsTwoToTheMinusEight()
        {
            Assert.Equal(new[] { 1f / 256 }, AlibiSlopes.Standard(1));
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(5)]
        [InlineData(6)]
        [InlineData(12)]
        [InlineData(16)]
        [InlineData(24)]
        public void AlibiSlopes_FollowThePaperRecipe(int heads)
        {
            // The ALiBi recipe: a geometric sequence starting at (and with ratio) 2^(-8/n) for n a power of two; otherwise
            // the sequence of the largest power of two below H, then every other term of the one of twice that, from the first.
            static double[] Geometric(int n) => Enumerable.Range(1, n).Select(i => Math.Pow(Math.Pow(2, -8.0 / n), i)).ToArray();
            int closest = 1 << (int)Math.Floor(Math.Log2(heads));
            double[] recipe = closest == heads
                ? Geometric(heads)
                : Geometric(closest).Concat(Geometric(2 * closest).Where((_, i) => i % 2 == 0).Take(heads - closest)).ToArray();

            float[] slopes = AlibiSlopes.Standard(heads);
            Assert.Equal(heads, slopes.Length);
            for (int h = 0; h < heads; h++)
            {
                Assert.True(Math.Abs(slopes[h] - recipe[h]) <= 2.5e-7 * recipe[h], $"head {h}: {slopes[h]} vs {recipe[h]}");
            }
        }

        /// <summary>[B, H, N, d] with Nq = Nk = N, no mask, scale 1: s = dot - slope[b x H + h] x |i - j| (slopes [H] when B = 1).</summary>
        private static (double[] Output, double[] Lse) AlibiExpected(int batch, int heads, int n, float[] q, float[] k, float[] v, double[] slopes)
        {
            const int D = 2;
            double[] output = new double[batch * heads * n * D], lse = new double[batch * heads * n];
            for (int b = 0; b < batch; b++)
            {
                for (int h = 0; h < heads; h++)
                {
                    int head = (b * heads + h) * n;
                    for (int i = 0; i < n; i++)
                    {
                        double[] s = new double[n];
                        for (int j = 0; j < n; j++)
                        {
                            s[j] = Dot(q, head + i, k, head + j, D) - slopes[b * heads + h] * Math.Abs(i - j);
                        }

                        var (row, rowLse) = Softmax(s, Rows(v.AsSpan(head * D, n * D).ToArray(), D));
                        row.CopyTo(output, (head + i) * D);
                        lse[head + i] = rowLse;
                    }
                }
            }

            return (output, lse);
        }

        /// <summary>sum_j e^(s_j) v_j / (sum_j e^(s_j) + e^sink) and ln of the denominator, straight from the formula.</summary>
        private static (double[] Output, double Lse) Softmax(double[] scores, double[][] values, double? sink = null)
        {
            int d = values.Length == 0 ? 2 : values[0].Length;
            double denominator = sink is { } z ? Math.Exp(z) : 0;
            double[] numerator = new double[d];
            for (int j = 0; j < scores.Length; j++)
            {
                double weight = Math.Exp(scores[j]);
                denominator += weight;
                for (int c = 0; c < d; c++)
                {
                    numerator[c] += weight * values[j][c];
                }
            }

            return scores.Length == 0
                ? (new double[d], sink ?? double.NegativeInfinity)
                : (numerator.Select(x => x / denominator).ToArray(), Math.Log(denominator));
        }

        private static double Dot(float[] a, int rowA, float[] b, int rowB, int d)
        {
            double dot = 0;
            for (int c = 0; c < d; c++)
            {
                dot += (double)a[rowA * d + c] * b[rowB * d + c];
            }

            return dot;
        }

        private static double[][] Rows(float[] values, int d) =>
            Enumerable.Range(0, values.Length / d).Select(r => values.Skip(r * d).Take(d).Select(x => (double)x).ToArray()).ToArray();

        /// <summary>Small distinct values in [-1.25, 1.25], different per seed.</summary>
        private static float[] Data(int count, int seed) =>
            Enumerable.Range(0, count).Select(n => 0.25f * (((n + 3 * seed) * 7 % 11) - 5)).ToArray();

        private static void AssertClose(double[] expected, ReadOnlySpan<double> actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i], a = actual[i];
                bool close = double.IsNaN(e) ? double.IsNaN(a) : double.IsInfinity(e) ? e == a : Math.Abs(e - a) <= Tolerance * Math.Max(1, Math.Abs(e));
                Assert.True(close, $"[{i}]: expected {e}, got {a}");
            }
        }
    }
}
