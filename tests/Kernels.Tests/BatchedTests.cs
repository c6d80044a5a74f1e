using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Kernels.Tests
{
    /// <summary>The uniform call shape of every batched test kernel (absent length parameters are not passed on).</summary>
    public delegate void BatchedCall(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
        ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

    /// <summary>A batched kernel with its spec, heads and layout read back from its attributes.</summary>
    public sealed record BatchedCase(string Name, BatchedCall Call, AttentionSpec Spec, int Heads, int KeyValueHeads, AttentionLayout Layout, bool HasKeyLengths, bool HasQueryLengths)
    {
        public override string ToString() => Name;
    }

    /// <summary>
    /// Batched multi-head kernels against <see cref="ReferenceAttention.ComputeBatched"/>: B in {1, 3}, uneven key and
    /// query lengths including 0 and 1, Nq != Nk and decode shapes, both layouts, grouped-query head mappings. Padding
    /// keys and values hold NaN, so reading one shows; padding rows must come out as exact zeros.
    /// </summary>
    public sealed class BatchedTests
    {
        private static readonly Dictionary<string, BatchedCall> Calls = new()
        {
            ["H1Kv1_Full"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H1Kv1_Full(q, k, v, o, b),
            ["H4Kv1_Causal_KeyLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H4Kv1_Causal_KeyLengths(q, k, v, o, b, kl),
            ["H4Kv2_Causal_Bhsd_BothLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H4Kv2_Causal_Bhsd_BothLengths(q, k, v, o, b, kl, ql),
            ["H4Kv4_WindowGlobals_QueryLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H4Kv4_WindowGlobals_QueryLengths(q, k, v, o, b, ql),
            ["H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths(q, k, v, o, b, kl),
            ["H8Kv2_CausalWindow_BothLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H8Kv2_CausalWindow_BothLengths(q, k, v, o, b, kl, ql),
            ["H8Kv4_Full_Bhsd"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H8Kv4_Full_Bhsd(q, k, v, o, b),
            ["H8Kv8_Window_KeyLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H8Kv8_Window_KeyLengths(q, k, v, o, b, kl),
            ["H1Kv1_Causal_Bhsd_QueryLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H1Kv1_Causal_Bhsd_QueryLengths(q, k, v, o, b, ql),
            ["H4Kv4_Sinks_Bhsd_KeyLengths"] = (q, k, v, o, b, kl, ql) => BatchedKernels.H4Kv4_Sinks_Bhsd_KeyLengths(q, k, v, o, b, kl),
        };

        private static readonly (int Queries, int Keys)[] Shapes = { (1, 1), (17, 17), (65, 100), (100, 65), (1, 300), (40, 40) };

        public static TheoryData<string> Names() => new(Calls.Keys.OrderBy(static n => n, StringComparer.Ordinal));

        public static BatchedCase Get(string name)
        {
            MethodInfo method = typeof(BatchedKernels).GetMethod(name)!;
            AttentionKernelAttribute kernel = method.GetCustomAttribute<AttentionKernelAttribute>()!;
            int heads = Math.Max(1, kernel.Heads);
            string[] parameters = method.GetParameters().Select(static p => p.Name!).ToArray();
            return new BatchedCase(name, Calls[name], KernelCatalog.SpecOf(method), heads, kernel.KeyValueHeads == 0 ? heads : kernel.KeyValueHeads,
                kernel.Layout, parameters.Contains("keyLengths"), parameters.Contains("queryLengths"));
        }

        [Fact]
        public void EveryBatchedKernel_IsInTheTable()
        {
            string[] declared = typeof(BatchedKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(static m => m.GetCustomAttribute<AttentionKernelAttribute>() is not null).Select(static m => m.Name).OrderBy(static n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(declared, Calls.Keys.OrderBy(static n => n, StringComparer.Ordinal));
        }

        [Theory]
        [MemberData(nameof(Names))]
        public void BatchedKernel_MatchesReference(string name)
        {
            BatchedCase kernel = Get(name);
            var failures = new List<string>();
            foreach (int batch in new[] { 1, 3 })
            {
                foreach ((int queries, int keys) in Shapes)
                {
                    for (int trial = 0; trial < 3; trial++)
                    {
                        var random = new Random(batch * 1000 + queries * 37 + keys * 7 + trial);
                        int[] keyLengths = Lengths(random, batch, keys, trial, kernel.HasKeyLengths);
                        int[] queryLengths = Lengths(random, batch, queries, trial + 1, kernel.HasQueryLengths);
                        string? problem = Check(kernel, batch, queries, keys, keyLengths, queryLengths, random);
                        if (problem is not null)
                        {
                            failures.Add($"B={batch} Nq={queries} Nk={keys} keyLengths=[{string.Join(",", keyLengths)}] queryLengths=[{string.Join(",", queryLengths)}]: {problem}");
                        }
                    }
                }
            }

            Assert.True(failures.Count == 0, $"{name}: " + string.Join("; ", failures.Take(5)));
        }

        [Fact]
        public void BatchedDecodeStep_OverAPaddedCache_MatchesReference()
        {
            // One new token per sequence against caches of 1, 0, 257 and 1000 valid keys out of 1000 (GQA 4/1, causal).
            BatchedCase kernel = Get("H4Kv1_Causal_KeyLengths");
            string? problem = Check(kernel, 4, 1, 1000, new[] { 1, 0, 257, 1000 }, Array.Empty<int>(), new Random(5));
            Assert.True(problem is null, problem);
        }

        [Fact]
        public void ThreadCount_DoesNotChangeTheResult()
        {
            BatchedCase kernel = Get("H8Kv2_CausalWindow_BothLengths");
            const int batch = 3, queries = 200, keys = 200, d = 16;
            float[] query = TestData.Uniform(1, batch * queries * 8 * d);
            float[] key = TestData.Uniform(2, batch * keys * 2 * d);
            int[] keyLengths = { 200, 150, 7 }, queryLengths = { 200, 1, 150 };
            float[] one = Run(1), two = Run(2);
            Assert.Equal(one, two);

            float[] Run(int degree)
            {
                int saved = AttentionThreading.MaxDegreeOfParallelism;
                try
                {
                    AttentionThreading.MaxDegreeOfParallelism = degree;
                    float[] output = TestData.Poisoned(query.Length);
                    kernel.Call(query, key, key, output, batch, keyLengths, queryLengths);
                    return output;
                }
                finally
                {
                    AttentionThreading.MaxDegreeOfParallelism = saved;
                }
            }
        }

        public static TheoryData<string, int, int, int, int[], int[], string> BadCalls() => new()
        {
            { "query not whole positions", 3 * 10 * 8 * 16 + 16, 3 * 10 * 2 * 16, 3, new[] { 10, 10, 10 }, new[] { 10, 10, 10 }, "query" },
            { "key not whole positions", 3 * 10 * 8 * 16, 3 * 10 * 2 * 16 + 16, 3, new[] { 10, 10, 10 }, new[] { 10, 10, 10 }, "key" },
            { "negative batch", 0, 0, -1, Array.Empty<int>(), Array.Empty<int>(), "batch" },
            { "batch 0 with data", 3 * 10 * 8 * 16, 3 * 10 * 2 * 16, 0, Array.Empty<int>(), Array.Empty<int>(), "query" },
            { "too few key lengths", 3 * 10 * 8 * 16, 3 * 10 * 2 * 16, 3, new[] { 10, 10 }, new[] { 10, 10, 10 }, "keyLengths" },
            { "key length past Nk", 3 * 10 * 8 * 16, 3 * 10 * 2 * 16, 3, new[] { 10, 11, 10 }, new[] { 10, 10, 10 }, "keyLengths" },
            { "negative query length", 3 * 10 * 8 * 16, 3 * 10 * 2 * 16, 3, new[] { 10, 10, 10 }, new[] { 10, -1, 10 }, "queryLengths" },
        };

        [Theory]
        [MemberData(nameof(BadCalls))]
        public void BadCall_ThrowsNamingParameter_AndWritesNothing(string why, int queryLength, int keyLength, int batch, int[] keyLengths, int[] queryLengths, string parameter)
        {
            BatchedCase kernel = Get("H8Kv2_CausalWindow_BothLengths");
            float[] query = TestData.Uniform(1, queryLength), key = TestData.Uniform(2, keyLength);
            float[] output = Enumerable.Repeat(123f, queryLength).ToArray();
            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => kernel.Call(query, key, key, output, batch, keyLengths, queryLengths));
            Assert.True(exception.ParamName == parameter, $"{why}: expected '{parameter}', got '{exception.ParamName}'");
            Assert.All(output, static x => Assert.Equal(123f, x));
        }

        /// <summary>Per-item lengths: full, 0, 1 and random ones (or none when the kernel takes no such parameter).</summary>
        private static int[] Lengths(Random random, int batch, int limit, int pattern, bool present)
        {
            if (!present)
            {
                return Array.Empty<int>();
            }

            return Enumerable.Range(0, batch).Select(b => ((b + pattern) % 4) switch
            {
                0 => limit,
                1 => Math.Min(limit, 1),
                2 => 0,
                _ => random.Next(0, limit + 1),
            }).ToArray();
        }

        private static string? Check(BatchedCase kernel, int batch, int queries, int keys, int[] keyLengths, int[] queryLengths, Random random)
        {
            int d = kernel.Spec.HeadDimension;
            var shape = new BatchedShape(kernel.Layout, d, kernel.Heads, kernel.KeyValueHeads, batch, queries, keys);
            float[] query = Fill(random, batch * queries * kernel.Heads * d);
            float[] key = Fill(random, batch * keys * kernel.KeyValueHeads * d);
            float[] value = Fill(random, key.Length);

            // Padding keys and values are NaN: a kernel that reads one produces NaN somewhere the reference does not.
            for (int b = 0; b < batch && keyLengths.Length > 0; b++)
            {
                for (int h = 0; h < kernel.KeyValueHeads; h++)
                {
                    for (int j = keyLengths[b]; j < keys; j++)
                    {
                        key.AsSpan(shape.RowOffset(b, h, j, kernel.KeyValueHeads, keys), d).Fill(float.NaN);
                        value.AsSpan(shape.RowOffset(b, h, j, kernel.KeyValueHeads, keys), d).Fill(float.NaN);
                    }
                }
            }

            float[] output = TestData.Poisoned(query.Length);
            double[] expected = new double[query.Length];
            kernel.Call(query, key, value, output, batch, keyLengths, queryLengths);
            ReferenceAttention.ComputeBatched(kernel.Spec, kernel.Layout, kernel.Heads, kernel.KeyValueHeads, batch, query, key, value, expected, keyLengths, queryLengths);

            for (int b = 0; b < batch && queryLengths.Length > 0; b++)
            {
                for (int h = 0; h < kernel.Heads; h++)
                {
                    for (int i = queryLengths[b]; i < queries; i++)
                    {
                        if (output.AsSpan(shape.RowOffset(b, h, i, kernel.Heads, queries), d).ContainsAnyExcept(0f))
                        {
                            return $"padding row (item {b}, head {h}, position {i}) is not exactly zero";
                        }
                    }
                }
            }

            double error = TestData.MaxAbsError(output, expected);
            return error <= TestData.Tolerance ? null : $"max abs error {error:E3}";
        }

        private static float[] Fill(Random random, int length)
        {
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }
    }
}
