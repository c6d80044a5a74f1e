using System;
using System.Numerics.Tensors;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// The tensor form of batched kernels (generated because this project references System.Numerics.Tensors): the same
    /// results as the span form, bit for bit, on both layouts and packed batches; shapes and strides it cannot take are
    /// refused naming the parameter, before anything is written.
    /// </summary>
    [Collection(ProcessWideThreadSetting.Name)] // the allocation test must not see another test change the thread count
    public sealed class TensorFormTests
    {
        [Theory]
        [InlineData(1, 1, 300)]
        [InlineData(3, 65, 100)]
        public void SixteenBitTensors_EqualTheSpanForm(int batch, int queries, int keys)
        {
            // BFloat16Cache_HalfOutput_Bias_Softcap: float query, bf16 key and value, f16 output, [B, N, H, d], d = 80.
            const int D = 80, H = 2, Kv = 2;
            float[] query = TestData.Uniform(4, batch * queries * H * D);
            BFloat16[] key = Array.ConvertAll(TestData.Uniform(5, batch * keys * Kv * D), static x => (BFloat16)x);
            BFloat16[] value = Array.ConvertAll(TestData.Uniform(6, key.Length), static x => (BFloat16)x);
            float[] bias = TestData.Uniform(7, queries * keys);
            int[] keyLengths = new int[batch];
            for (int b = 0; b < batch; b++)
            {
                keyLengths[b] = keys - b;
            }

            Half[] expected = new Half[query.Length], actual = new Half[query.Length];
            BatchedStorageKernels.BFloat16Cache_HalfOutput_Bias_Softcap(query, key, value, expected, batch, keyLengths, bias);
            BatchedStorageKernels.BFloat16Cache_HalfOutput_Bias_Softcap(
                new ReadOnlyTensorSpan<float>(query, [batch, queries, H, D]), new ReadOnlyTensorSpan<BFloat16>(key, [batch, keys, Kv, D]),
                new ReadOnlyTensorSpan<BFloat16>(value, [batch, keys, Kv, D]), new TensorSpan<Half>(actual, [batch, queries, H, D]), keyLengths, bias);
            Assert.Equal(expected, actual);
            Assert.Contains(actual, static x => x != Half.Zero); // the call computed something
        }

        [Theory]
        [InlineData(1, 17, 17)]
        [InlineData(3, 65, 100)]
        [InlineData(2, 1, 300)]
        [InlineData(0, 5, 5)]
        public void SequenceFirstLayout_EqualsSpanForm_AndTheReference(int batch, int queries, int keys)
        {
            // H4Kv1_Causal_KeyLengths: d = 64, 4 query heads over 1 key/value head, [B, N, H, d].
            const int D = 64, H = 4, Kv = 1;
            float[] query = TestData.Uniform(1, batch * queries * H * D), key = TestData.Uniform(2, batch * keys * Kv * D), value = TestData.Uniform(3, batch * keys * Kv * D);
            int[] keyLengths = new int[batch];
            for (int b = 0; b < batch; b++)
            {
                keyLengths[b] = b == 1 ? 0 : keys - b;
            }

            float[] expected = new float[query.Length], actual = new float[query.Length];
            BatchedKernels.H4Kv1_Causal_KeyLengths(query, key, value, expected, batch, keyLengths);
            BatchedKernels.H4Kv1_Causal_KeyLengths(
                new ReadOnlyTensorSpan<float>(query, [batch, queries, H, D]), new ReadOnlyTensorSpan<float>(key, [batch, keys, Kv, D]),
                new ReadOnlyTensorSpan<float>(value, [batch, keys, Kv, D]), new TensorSpan<float>(actual, [batch, queries, H, D]), keyLengths);
            Assert.Equal(expected, actual);

            double[] reference = new double[query.Length];
            ReferenceAttention.ComputeBatched(new AttentionSpec(D, causal: true), AttentionLayout.BatchSeqHeadDim, H, Kv, batch, query, key, value, reference, keyLengths);
            for (int i = 0; i < reference.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - reference[i]) < 1e-5, $"element {i}: {actual[i]} vs {reference[i]}");
            }
        }

        [Fact]
        public void PackedItems_WithSeparateQueryAndKeyRows_EqualSpanForm()
        {
            // ScoreKernels.PackedPair_Everything: d = 32, 4 heads, packed queries [totalQ, 4, 32] and keys [totalK, 4, 32].
            const int D = 32, H = 4;
            int[] queryStarts = { 0, 5, 5, 75 }, keyStarts = { 0, 9, 13, 83 };
            float[] query = TestData.Uniform(7, 75 * H * D, 2f), key = TestData.Uniform(8, 83 * H * D, 2f), value = TestData.Uniform(9, 83 * H * D);
            float[] sinks = { 0.5f, -1f, 2f, 0f };
            float[] expected = new float[query.Length], actual = new float[query.Length], expectedLse = new float[H * 75], actualLse = new float[H * 75];
            ScoreKernels.PackedPair_Everything(query, key, value, expected, 3, expectedLse, queryStarts, keyStarts, 0.2f, sinks);
            ScoreKernels.PackedPair_Everything(
                new ReadOnlyTensorSpan<float>(query, [75, H, D]), new ReadOnlyTensorSpan<float>(key, [83, H, D]), new ReadOnlyTensorSpan<float>(value, [83, H, D]),
                new TensorSpan<float>(actual, [75, H, D]), actualLse, queryStarts, keyStarts, 0.2f, sinks);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedLse, actualLse);
        }

        [Fact]
        public void HeadFirstLayout_WithLogSumExp_EqualsSpanForm()
        {
            // H2Kv1_CausalWindowGlobals_Bhsd_Lse: d = 64, 2 heads over 1, [B, H, N, d], keyLengths and logSumExp.
            const int D = 64, H = 2, Kv = 1, Batch = 2, N = 70;
            float[] query = TestData.Uniform(4, Batch * H * N * D), key = TestData.Uniform(5, Batch * Kv * N * D), value = TestData.Uniform(6, Batch * Kv * N * D);
            int[] keyLengths = { N, 33 };
            float[] expected = new float[query.Length], actual = new float[query.Length];
            float[] expectedLse = new float[Batch * H * N], actualLse = new float[Batch * H * N];
            BatchedKernels.H2Kv1_CausalWindowGlobals_Bhsd_Lse(query, key, value, expected, Batch, keyLengths, expectedLse);
            BatchedKernels.H2Kv1_CausalWindowGlobals_Bhsd_Lse(
                new ReadOnlyTensorSpan<float>(query, [Batch, H, N, D]), new ReadOnlyTensorSpan<float>(key, [Batch, Kv, N, D]),
                new ReadOnlyTensorSpan<float>(value, [Batch, Kv, N, D]), new TensorSpan<float>(actual, [Batch, H, N, D]), keyLengths, actualLse);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedLse, actualLse);
        }

        [Fact]
        public void PackedBatch_EqualsSpanForm()
        {
            // H4Kv2_Causal_Packed: d = 16, 4 heads over 2, [total, H, d] with sequence starts.
            const int D = 16, H = 4, Kv = 2;
            int[] starts = { 0, 5, 5, 42, 43 };
            int total = starts[^1];
            float[] query = TestData.Uniform(7, total * H * D), key = TestData.Uniform(8, total * Kv * D), value = TestData.Uniform(9, total * Kv * D);
            float[] expected = new float[query.Length], actual = new float[query.Length];
            BatchedKernels.H4Kv2_Causal_Packed(query, key, value, expected, starts.Length - 1, starts);
            BatchedKernels.H4Kv2_Causal_Packed(
                new ReadOnlyTensorSpan<float>(query, [total, H, D]), new ReadOnlyTensorSpan<float>(key, [total, Kv, D]),
                new ReadOnlyTensorSpan<float>(value, [total, Kv, D]), new TensorSpan<float>(actual, [total, H, D]), starts);
            Assert.Equal(expected, actual);
            Assert.Contains(actual, static x => x != 0f);
        }

        /// <summary>
        /// Calls of H4Kv1_Causal_KeyLengths ([B, N, 4, 64] queries, [B, N, 1, 64] keys) with one tensor wrong, and the
        /// parameter the exception must name.
        /// </summary>
        public static TheoryData<string, string> BadTensors() => new()
        {
            { "query of rank 3", "query" },
            { "query with 3 heads", "query" },
            { "key with d = 32", "key" },
            { "value shaped unlike key", "value" },
            { "output shaped unlike query", "output" },
            { "key with another batch size", "key" },
            { "query sliced from a fused QKV tensor", "query" },
            { "key broadcast over the batch", "key" },
            { "output too short for its shape", "output" },
        };

        [Theory]
        [MemberData(nameof(BadTensors))]
        public void BadTensor_ThrowsNamingParameter_AndWritesNothing(string why, string parameter)
        {
            const int D = 64, H = 4, B = 2, N = 9;
            float[] query = TestData.Uniform(10, B * N * H * D), key = TestData.Uniform(11, B * N * D), value = TestData.Uniform(12, B * N * D);
            float[] fused = TestData.Uniform(13, B * N * 3 * H * D);
            float[] output = new float[query.Length];
            output.AsSpan().Fill(float.NaN);
            int[] keyLengths = { N, N };

            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() =>
            {
                var q = new ReadOnlyTensorSpan<float>(query, [B, N, H, D]);
                var k = new ReadOnlyTensorSpan<float>(key, [B, N, 1, D]);
                var v = new ReadOnlyTensorSpan<float>(value, [B, N, 1, D]);
                var o = new TensorSpan<float>(output, [B, N, H, D]);
                switch (why)
                {
                    case "query of rank 3":
                        q = new ReadOnlyTensorSpan<float>(query, [B * N, H, D]);
                        break;
                    case "query with 3 heads":
                        q = new ReadOnlyTensorSpan<float>(query.AsSpan(0, B * N * 3 * D), [B, N, 3, D]);
                        break;
                    case "key with d = 32":
                        k = new ReadOnlyTensorSpan<float>(key, [B, N, 2, 32]);
                        break;
                    case "value shaped unlike key":
                        v = new ReadOnlyTensorSpan<float>(value.AsSpan(0, B * (N - 1) * D), [B, N - 1, 1, D]);
                        break;
                    case "output shaped unlike query":
                        o = new TensorSpan<float>(output.AsSpan(0, B * (N - 1) * H * D), [B, N - 1, H, D]);
                        break;
                    case "key with another batch size":
                        k = new ReadOnlyTensorSpan<float>(key.AsSpan(0, N * D), [1, N, 1, D]);
                        v = new ReadOnlyTensorSpan<float>(value.AsSpan(0, N * D), [1, N, 1, D]);
                        break;
                    case "query sliced from a fused QKV tensor":
                        // [B, N, 3, H, d] from one projection; the query part is [B, N, H, d] with a row stride of 3 H d.
                        q = new ReadOnlyTensorSpan<float>(fused, 0, [B, N, H, D], [N * 3 * H * D, 3 * H * D, D, 1]);
                        break;
                    case "key broadcast over the batch":
                        k = new ReadOnlyTensorSpan<float>(key, 0, [B, N, 1, D], [0, D, 0, 1]);
                        break;
                    case "output too short for its shape":
                        o = new TensorSpan<float>(output, [B, N, H, D / 2]);
                        break;
                    default:
                        throw new InvalidOperationException(why);
                }

                BatchedKernels.H4Kv1_Causal_KeyLengths(q, k, v, o, keyLengths);
            });

            Assert.Equal(parameter, exception.ParamName);
            Assert.All(output, static x => Assert.True(float.IsNaN(x)));
        }

        [Fact]
        public void BadRunTimeLength_InTensorForm_NamesThatParameter()
        {
            const int D = 64, H = 4, B = 2, N = 9;
            float[] query = TestData.Uniform(14, B * N * H * D), key = TestData.Uniform(15, B * N * D), output = new float[query.Length];
            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => BatchedKernels.H4Kv1_Causal_KeyLengths(
                new ReadOnlyTensorSpan<float>(query, [B, N, H, D]), new ReadOnlyTensorSpan<float>(key, [B, N, 1, D]),
                new ReadOnlyTensorSpan<float>(key, [B, N, 1, D]), new TensorSpan<float>(output, [B, N, H, D]), new[] { N }));
            Assert.Equal("keyLengths", exception.ParamName);
        }

        [Fact]
        public void SteadyStateTensorCall_AllocatesNothing()
        {
            const int D = 64, H = 4, B = 3, N = 40;
            float[] query = TestData.Uniform(16, B * N * H * D), key = TestData.Uniform(17, B * N * D), output = new float[query.Length];
            int[] keyLengths = { 40, 7, 0 };
            // The tensor spans are built inside the call (they are ref structs, which a lambda cannot capture); building one
            // allocates nothing either.
            Assert.Equal(0, Allocations.InCleanestWindow(() =>
            {
                var q = new ReadOnlyTensorSpan<float>(query, [B, N, H, D]);
                var k = new ReadOnlyTensorSpan<float>(key, [B, N, 1, D]);
                BatchedKernels.H4Kv1_Causal_KeyLengths(q, k, k, new TensorSpan<float>(output, [B, N, H, D]), keyLengths);
            }));
        }
    }
}
