using System;
using System.Linq;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// The edges of the score contract: a single-head run-time scale, a -inf bias hiding a key whose value is NaN, a NaN
    /// bias, bad run-time score inputs rejected before anything is written, and FlashAttention's accuracy criterion
    /// (max error against the double reference at most twice that of a plain float32 implementation).
    /// </summary>
    public sealed class ScoreContractTests
    {
        [Theory]
        [InlineData(1, 1)]
        [InlineData(19, 19)]
        [InlineData(70, 130)]
        [InlineData(130, 70)]
        [InlineData(1, 2100)]
        public void SingleHead_RuntimeScale_MatchesReference(int queries, int keys)
        {
            foreach (float scale in new[] { 0.05f, 0.3f, 1.7f })
            {
                Check(nameof(ScoreKernels.Single_RuntimeScale_WindowGlobals), ScoreKernels.Single_RuntimeScale_WindowGlobals, queries, keys, scale);
                Check(nameof(ScoreKernels.Single_SoftcapScale_Causal), ScoreKernels.Single_SoftcapScale_Causal, queries, keys, scale);
            }
        }

        private delegate void ScaledKernel(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, float scale);

        private static void Check(string name, ScaledKernel kernel, int queries, int keys, float scale)
        {
            AttentionSpec spec = ScoreTests.SpecOf(name);
            int d = spec.HeadDimension;
            float[] query = TestData.Uniform(queries + 1, queries * d, 2f), key = TestData.Uniform(keys + 2, keys * d, 2f), value = TestData.Uniform(keys + 3, keys * d);
            float[] output = TestData.Poisoned(queries * d);
            double[] expected = new double[output.Length];
            float[] plain = new float[output.Length];
            kernel(query, key, value, output, scale);
            ReferenceAttention.Compute(spec, query, key, value, expected, Span<double>.Empty, new ScoreArguments { Scale = scale });
            PlainFloatAttention.Compute(spec, query, key, value, plain, default, new ScoreArguments { Scale = scale });
            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, $"{name} scale {scale} Nq={queries} Nk={keys}: {measure.Problem}");
        }

        [Theory]
        [InlineData(0f)]
        [InlineData(-1f)]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        public void BadScale_IsRejected_BeforeAnyWrite(float scale)
        {
            float[] query = new float[2 * 37], key = new float[3 * 37], value = new float[3 * 37], output = TestData.Poisoned(2 * 37);
            var single = Assert.ThrowsAny<ArgumentException>(() => ScoreKernels.Single_RuntimeScale_WindowGlobals(query, key, value, output, scale));
            Assert.Equal("scale", single.ParamName);
            Assert.All(output, static x => Assert.True(float.IsNaN(x)));

            float[] q = new float[2 * 4 * 24], k = new float[2 * 2 * 24], o = TestData.Poisoned(q.Length);
            var batched = Assert.ThrowsAny<ArgumentException>(() => ScoreKernels.Everything(q, k, k, o, 1, new[] { 2 }, new[] { 2 }, new bool[2], new bool[4], new float[8],
                scale, default, new float[4], new float[4]));
            Assert.Equal("scale", batched.ParamName);
            Assert.All(o, static x => Assert.True(float.IsNaN(x)));
        }

        [Fact]
        public void BadScoreInputs_AreRejected_NamingTheParameter_BeforeAnyWrite()
        {
            const int D = 24, H = 4, Kv = 2, N = 5;
            float[] q = new float[N * H * D], k = new float[N * Kv * D], o = TestData.Poisoned(q.Length);
            void Expect(string name, Action call)
            {
                var error = Assert.ThrowsAny<ArgumentException>(call);
                Assert.Equal(name, error.ParamName);
                Assert.All(o, static x => Assert.True(float.IsNaN(x)));
            }

            float[] goodSinks = new float[H];
            int[] lengths = { N };
            bool[] keep = Enumerable.Repeat(true, N).ToArray(), keepPairs = Enumerable.Repeat(true, N * N).ToArray();
            float[] lse = new float[H * N], zeroBias = new float[N * N];
            void Everything(ReadOnlySpan<float> slopes, ReadOnlySpan<float> bias, ReadOnlySpan<float> sinks) =>
                ScoreKernels.Everything(q, k, k, o, 1, lengths, lengths, keep, keepPairs, lse, 1f, slopes, bias, sinks);
            Expect("alibiSlopes", () => Everything(new float[3], zeroBias, goodSinks));
            Expect("alibiSlopes", () => Everything(new[] { 0f, float.NaN, 0f, 0f }, zeroBias, goodSinks));
            Expect("bias", () => Everything(default, new float[N * N + 1], goodSinks));
            Expect("sinks", () => Everything(default, zeroBias, new float[H - 1]));
            Expect("sinks", () => Everything(default, zeroBias, new[] { 0f, 0f, float.PositiveInfinity, 0f }));
            // A bias that shares memory with the output.
            float[] shared = TestData.Poisoned(q.Length + N * N);
            var overlap = Assert.ThrowsAny<ArgumentException>(() =>
                ScoreKernels.Everything(q, k, k, shared.AsSpan(0, q.Length), 1, lengths, lengths, keep, keepPairs, lse, 1f, default, shared.AsSpan(q.Length - 1, N * N), goodSinks));
            Assert.Equal("output", overlap.ParamName); // the written span, and the message names both
            Assert.Contains("bias", overlap.Message);
            Everything(default, zeroBias, goodSinks); // the same call with good inputs runs

            // Packed starts: the query starts must end at the query rows, the key starts at the key rows; neither may decrease.
            float[] pq = new float[6 * 4 * 32], pk = new float[9 * 4 * 32], po = TestData.Poisoned(pq.Length), packedLse = new float[6 * 4];
            var badQuery = Assert.ThrowsAny<ArgumentException>(() => ScoreKernels.PackedPair_Everything(pq, pk, pk, po, 2, packedLse, new[] { 0, 2, 5 }, new[] { 0, 4, 9 }, 1f, new float[4]));
            Assert.Equal("querySequenceStarts", badQuery.ParamName);
            var badKey = Assert.ThrowsAny<ArgumentException>(() => ScoreKernels.PackedPair_Everything(pq, pk, pk, po, 2, packedLse, new[] { 0, 2, 6 }, new[] { 0, 10, 9 }, 1f, new float[4]));
            Assert.Equal("keySequenceStarts", badKey.ParamName);
            Assert.All(po, static x => Assert.True(float.IsNaN(x)));
        }

        [Fact]
        public void NegativeInfinityBias_HidesTheKey_EvenWhenItsValueIsNaN()
        {
            const int D = 16, H = 2, N = 70;
            float[] query = TestData.Uniform(1, N * H * D), key = TestData.Uniform(2, N * H * D), value = TestData.Uniform(3, N * H * D);
            float[] bias = TestData.Uniform(4, N * N);
            foreach (int hidden in new[] { 0, 17, 69 })
            {
                for (int i = 0; i < N; i++)
                {
                    bias[i * N + hidden] = float.NegativeInfinity;
                }

                for (int head = 0; head < H; head++)
                {
                    value[(hidden * H + head) * D + 3] = float.NaN;
                }
            }

            float[] output = TestData.Poisoned(query.Length), logSumExp = new float[H * N];
            bool[] keep = Enumerable.Repeat(true, N).ToArray(), keepPairs = Enumerable.Repeat(true, N * N).ToArray();
            ScoreKernels.Bias_Full_Masks(query, key, value, output, 1, keep, keepPairs, logSumExp, bias);
            double[] expected = new double[output.Length];
            float[] plain = new float[output.Length];
            ReferenceAttention.ComputeBatched(ScoreTests.SpecOf(nameof(ScoreKernels.Bias_Full_Masks)), AttentionLayout.BatchSeqHeadDim,
                H, H, 1, query, key, value, expected, bias: bias);
            PlainFloatAttention.ComputeBatched(ScoreTests.SpecOf(nameof(ScoreKernels.Bias_Full_Masks)), AttentionLayout.BatchSeqHeadDim,
                H, H, 1, query, key, value, plain, bias: bias);
            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
        }

        [Fact]
        public void NegativeInfinityBias_HidesTheKey_EvenWhenItsKeyRowIsNaNOrInfinite()
        {
            const int D = 16, H = 2, N = 70;
            float[] query = TestData.Uniform(1, N * H * D), key = TestData.Uniform(2, N * H * D), value = TestData.Uniform(3, N * H * D);
            float[] bias = TestData.Uniform(4, N * N);
            foreach ((int hidden, float bad) in new[] { (5, float.NaN), (40, float.PositiveInfinity), (69, float.NegativeInfinity) })
            {
                for (int i = 0; i < N; i++)
                {
                    bias[i * N + hidden] = float.NegativeInfinity;
                }

                for (int head = 0; head < H; head++)
                {
                    key[(hidden * H + head) * D] = bad; // an unwritten cache slot: its score is NaN or infinite
                }
            }

            float[] output = TestData.Poisoned(query.Length);
            ScoreKernels.Bias_Full_Masks(query, key, value, output, 1, Enumerable.Repeat(true, N).ToArray(), Enumerable.Repeat(true, N * N).ToArray(), new float[H * N], bias);
            double[] expected = new double[output.Length];
            float[] plain = new float[output.Length];
            ReferenceAttention.ComputeBatched(ScoreTests.SpecOf(nameof(ScoreKernels.Bias_Full_Masks)), AttentionLayout.BatchSeqHeadDim, H, H, 1, query, key, value, expected, bias: bias);
            PlainFloatAttention.ComputeBatched(ScoreTests.SpecOf(nameof(ScoreKernels.Bias_Full_Masks)), AttentionLayout.BatchSeqHeadDim, H, H, 1, query, key, value, plain, bias: bias);
            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
        }

        [Fact]
        public void NaNBias_MakesItsRowNaN_AsTheReferenceDoes()
        {
            const int D = 16, H = 2, N = 40;
            float[] query = TestData.Uniform(1, N * H * D), key = TestData.Uniform(2, N * H * D), value = TestData.Uniform(3, N * H * D);
            float[] bias = new float[N * N];
            bias[5 * N + 30] = float.NaN; // row 5, key 30
            float[] output = TestData.Poisoned(query.Length);
            ScoreKernels.Bias_Full_Masks(query, key, value, output, 1, Enumerable.Repeat(true, N).ToArray(), Enumerable.Repeat(true, N * N).ToArray(), new float[H * N], bias);
            double[] expected = new double[output.Length];
            ReferenceAttention.ComputeBatched(ScoreTests.SpecOf(nameof(ScoreKernels.Bias_Full_Masks)), AttentionLayout.BatchSeqHeadDim,
                H, H, 1, query, key, value, expected, bias: bias);
            for (int i = 0; i < output.Length; i++)
            {
                Assert.True(double.IsNaN(expected[i]) == float.IsNaN(output[i]), $"element {i}: {output[i]} against the reference's {expected[i]}");
            }

            Assert.True(expected.Any(double.IsNaN), "the reference has NaN rows");
        }

        /// <summary>
        /// FlashAttention's criterion on the new terms, at larger sizes and for the log-sum-exp too: the kernel's max error
        /// against the double reference is at most twice that of the plain float32 twin (<see cref="PlainFloatAttention"/>:
        /// MathF.Tanh, MathF.Exp, left-to-right sums) on the same inputs, plus <see cref="Accuracy"/>'s slack.
        /// </summary>
        [Theory]
        [InlineData("Softcap_Full", 257)]
        [InlineData("Alibi_Causal_Lengths", 300)]
        [InlineData("Sinks_CausalWindow_KeyLengths", 300)]
        [InlineData("Everything", 200)]
        public void Accuracy_IsWithinTwiceThatOfPlainFloat32(string name, int n)
        {
            ScoreTests.Case kernel = ScoreTests.Get(name);
            ScoreTests.Call call = ScoreTests.MakeCall(kernel, n, n, n + name.Length, null);
            kernel.Run(call);
            (double[] expected, double[] expectedLse) = ScoreTests.Reference(kernel, call);
            (float[] plain, float[] plainLse) = ScoreTests.Plain(kernel, call);
            Accuracy.Measure output = Accuracy.Check(call.Output, expected, plain), lse = Accuracy.Check(call.LogSumExp, expectedLse, plainLse);
            Assert.True(output.Problem is null, $"{name}: {output.Problem}");
            Assert.True(lse.Problem is null, $"{name} log-sum-exp: {lse.Problem}");
        }
    }
}
