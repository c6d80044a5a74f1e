using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Engine;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Kernels.Tests
{
    /// <summary>The uniform call shape of every batched test kernel (absent length parameters are not passed on).</summary>
    public delegate void BatchedCall(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
        ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, ReadOnlySpan<int> sequenceStarts, Span<float> logSumExp,
        ReadOnlySpan<bool> keyMask = default, ReadOnlySpan<bool> mask = default);

    /// <summary>A batched kernel with its spec, heads and layout read back from its attributes.</summary>
    public sealed record BatchedCase(string Name, BatchedCall Call, AttentionSpec Spec, int Heads, int KeyValueHeads, AttentionLayout Layout, bool HasKeyLengths, bool HasQueryLengths,
        bool HasLogSumExp, bool HasKeyMask, bool HasMask)
    {
        public override string ToString() => Name;
    }

    /// <summary>
    /// Batched multi-head kernels against <c>ReferenceAttention.ComputeBatched</c>: B in {1, 3}, uneven key and
    /// query lengths including 0 and 1, Nq != Nk and decode shapes, both layouts, grouped-query head mappings. Padding
    /// keys and values hold NaN, so reading one shows; padding rows must come out as exact zeros.
    /// </summary>
    [Collection(ProcessWideThreadSetting.Name)]
    public sealed class BatchedTests
    {
        private static readonly Dictionary<string, BatchedCall> Calls = new()
        {
            ["H1Kv1_Full"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H1Kv1_Full(q, k, v, o, b),
            ["H4Kv1_Causal_KeyLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv1_Causal_KeyLengths(q, k, v, o, b, kl),
            ["H4Kv2_Causal_Bhsd_BothLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv2_Causal_Bhsd_BothLengths(q, k, v, o, b, kl, ql),
            ["H4Kv4_WindowGlobals_QueryLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv4_WindowGlobals_QueryLengths(q, k, v, o, b, ql),
            ["H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths(q, k, v, o, b, kl),
            ["H8Kv2_CausalWindow_BothLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H8Kv2_CausalWindow_BothLengths(q, k, v, o, b, kl, ql),
            ["H8Kv4_Full_Bhsd"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H8Kv4_Full_Bhsd(q, k, v, o, b),
            ["H8Kv8_Window_KeyLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H8Kv8_Window_KeyLengths(q, k, v, o, b, kl),
            ["H1Kv1_Causal_Bhsd_QueryLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H1Kv1_Causal_Bhsd_QueryLengths(q, k, v, o, b, ql),
            ["H4Kv4_Sinks_Bhsd_KeyLengths"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv4_Sinks_Bhsd_KeyLengths(q, k, v, o, b, kl),
            ["H4Kv2_Causal_Packed"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv2_Causal_Packed(q, k, v, o, b, ss),
            ["H2Kv2_WindowGlobals_Packed"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H2Kv2_WindowGlobals_Packed(q, k, v, o, b, ls, ss),
            ["H4Kv2_Causal_One"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv2_Causal_One(q, k, v, o, b),
            ["H4Kv2_Causal_BothLengths_Lse"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv2_Causal_BothLengths_Lse(q, k, v, o, b, kl, ql, ls),
            ["H2Kv1_CausalWindowGlobals_Bhsd_Lse"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H2Kv1_CausalWindowGlobals_Bhsd_Lse(q, k, v, o, b, kl, ls),
            ["H1Kv1_Full_Lse"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H1Kv1_Full_Lse(q, k, v, o, b, ls),
            ["H4Kv2_Causal_KeyLengths_KeyMask_Lse"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv2_Causal_KeyLengths_KeyMask_Lse(q, k, v, o, b, kl, km, ls),
            ["H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) =>
                BatchedKernels.H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask(q, k, v, o, b, ql, km, m),
            ["H1Kv1_Causal_KeyMask_Mask_Lse"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H1Kv1_Causal_KeyMask_Mask_Lse(q, k, v, o, b, km, m, ls),
            ["H4Kv4_Full_Mask"] = (q, k, v, o, b, kl, ql, ss, ls, km, m) => BatchedKernels.H4Kv4_Full_Mask(q, k, v, o, b, m),
        };

        private static readonly (int Queries, int Keys)[] Shapes = { (1, 1), (17, 17), (65, 100), (100, 65), (1, 300), (40, 40) };

        public static TheoryData<string> Names() => new(Calls.Keys.Where(static n => !n.EndsWith("_Packed", StringComparison.Ordinal)).OrderBy(static n => n, StringComparer.Ordinal));

        public static TheoryData<string> PackedNames() => new(Calls.Keys.Where(static n => n.EndsWith("_Packed", StringComparison.Ordinal)).OrderBy(static n => n, StringComparer.Ordinal));

        /// <summary>Every batched kernel in the table, packed ones included (the call fuzzer picks from them).</summary>
        internal static IEnumerable<string> AllNames => Calls.Keys.OrderBy(static n => n, StringComparer.Ordinal);

        public static BatchedCase Get(string name)
        {
            // The span form carries the attributes; the generated tensor form of the same name does not.
            MethodInfo method = typeof(BatchedKernels).GetMethods().Single(m => m.Name == name && m.GetCustomAttribute<AttentionKernelAttribute>() is not null);
            AttentionKernelAttribute kernel = method.GetCustomAttribute<AttentionKernelAttribute>()!;
            int heads = Math.Max(1, kernel.Heads);
            string[] parameters = method.GetParameters().Select(static p => p.Name!).ToArray();
            return new BatchedCase(name, Calls[name], KernelCatalog.SpecOf(method), heads, kernel.KeyValueHeads == 0 ? heads : kernel.KeyValueHeads,
                kernel.Layout, parameters.Contains("keyLengths"), parameters.Contains("queryLengths"), parameters.Contains("logSumExp"),
                parameters.Contains("keyMask"), parameters.Contains("mask"));
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
            // Enough work (about 8.6M multiply-adds) for the head groups to be shared by two threads.
            BatchedCase kernel = Get("H8Kv2_CausalWindow_BothLengths");
            const int batch = 3, queries = 256, keys = 256, d = 16;
            float[] query = TestData.Uniform(1, batch * queries * 8 * d);
            float[] key = TestData.Uniform(2, batch * keys * 2 * d);
            int[] keyLengths = { 256, 200, 7 }, queryLengths = { 256, 1, 200 };
            float[] one = Run(1);
            float[] two = new float[one.Length];
            long before = KernelWorkers.ParallelRuns;
            for (int attempt = 0; attempt < 50 && KernelWorkers.ParallelRuns == before; attempt++)
            {
                two = Run(2); // another test class may hold the workers for a moment; then this call runs alone
            }

            Assert.True(Environment.ProcessorCount < 2 || KernelWorkers.ParallelRuns > before, "no batched call ran on more than one thread");
            Assert.Equal(one, two);

            float[] Run(int degree)
            {
                int saved = AttentionThreading.MaxDegreeOfParallelism;
                try
                {
                    AttentionThreading.MaxDegreeOfParallelism = degree;
                    float[] output = TestData.Poisoned(query.Length);
                    kernel.Call(query, key, key, output, batch, keyLengths, queryLengths, default, default);
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
            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => kernel.Call(query, key, key, output, batch, keyLengths, queryLengths, default, default));
            Assert.True(exception.ParamName == parameter, $"{why}: expected '{parameter}', got '{exception.ParamName}'");
            Assert.All(output, static x => Assert.Equal(123f, x));
        }

        /// <summary>
        /// Packed variable-length batches ([total, H, d], FlashAttention's cu_seqlens): sequences of 0, 1, odd and long
        /// lengths back to back match the reference, and equal the same sequences run one call at a time.
        /// </summary>
        [Theory]
        [MemberData(nameof(PackedNames))]
        public void PackedBatch_MatchesReference(string name)
        {
            BatchedCase kernel = Get(name);
            int d = kernel.Spec.HeadDimension;
            foreach (int[] lengths in new[] { new[] { 5 }, new[] { 1, 0, 17, 100, 3 }, new[] { 130, 64, 65 }, new[] { 0 } })
            {
                int[] starts = Starts(lengths);
                int total = starts[^1];
                var random = new Random(total + lengths.Length);
                float[] query = Fill(random, total * kernel.Heads * d);
                float[] key = Fill(random, total * kernel.KeyValueHeads * d);
                float[] value = Fill(random, key.Length);
                float[] output = TestData.Poisoned(query.Length);
                double[] expected = new double[query.Length];
                float[] logSumExp = kernel.HasLogSumExp ? TestData.Poisoned(kernel.Heads * total) : Array.Empty<float>();
                double[] expectedLogSumExp = new double[logSumExp.Length];
                float[] plain = new float[query.Length], plainLogSumExp = new float[logSumExp.Length];
                kernel.Call(query, key, value, output, lengths.Length, default, default, starts, logSumExp);
                ReferenceAttention.ComputeBatched(kernel.Spec, AttentionLayout.BatchSeqHeadDim, kernel.Heads, kernel.KeyValueHeads, lengths.Length, query, key, value, expected,
                    sequenceStarts: starts, logSumExp: expectedLogSumExp);
                PlainFloatAttention.ComputeBatched(kernel.Spec, AttentionLayout.BatchSeqHeadDim, kernel.Heads, kernel.KeyValueHeads, lengths.Length, query, key, value, plain,
                    sequenceStarts: starts, logSumExp: plainLogSumExp);
                Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
                Assert.True(measure.Problem is null, $"{name} lengths [{string.Join(",", lengths)}]: {measure.Problem}");
                string? lseProblem = LogSumExpProblem(logSumExp, expectedLogSumExp, plainLogSumExp);
                Assert.True(lseProblem is null, $"{name}: {lseProblem}");
            }
        }

        [Fact]
        public void PackedBatch_EqualsTheSequencesRunOneByOne()
        {
            BatchedCase packed = Get("H4Kv2_Causal_Packed"), one = Get("H4Kv2_Causal_One");
            int[] lengths = { 3, 0, 200, 1, 77 };
            int[] starts = Starts(lengths);
            int total = starts[^1], d = 16, heads = 4, keyHeads = 2;
            var random = new Random(9);
            float[] query = Fill(random, total * heads * d), key = Fill(random, total * keyHeads * d), value = Fill(random, key.Length);
            float[] output = TestData.Poisoned(query.Length);
            packed.Call(query, key, value, output, lengths.Length, default, default, starts, default);
            for (int b = 0; b < lengths.Length; b++)
            {
                // Sequence b alone is a batch of one in [1, L, H, d]: a contiguous slice of the packed spans.
                float[] alone = TestData.Poisoned(lengths[b] * heads * d);
                one.Call(query.AsSpan(starts[b] * heads * d, lengths[b] * heads * d), key.AsSpan(starts[b] * keyHeads * d, lengths[b] * keyHeads * d),
                    value.AsSpan(starts[b] * keyHeads * d, lengths[b] * keyHeads * d), alone, 1, default, default, default, default);
                Assert.Equal(alone, output.AsSpan(starts[b] * heads * d, lengths[b] * heads * d).ToArray());
            }
        }

        public static TheoryData<string, int[], int, string> BadPackedCalls() => new()
        {
            { "one offset short", new[] { 0, 10 }, 2, "sequenceStarts" },
            { "does not start at 0", new[] { 1, 5, 10 }, 2, "sequenceStarts" },
            { "does not end at the total", new[] { 0, 5, 9 }, 2, "sequenceStarts" },
            { "decreasing", new[] { 0, 7, 5, 10 }, 3, "sequenceStarts" },
            { "negative batch", new[] { 0 }, -1, "batch" },
        };

        [Theory]
        [MemberData(nameof(BadPackedCalls))]
        public void BadPackedCall_ThrowsNamingParameter_AndWritesNothing(string why, int[] starts, int batch, string parameter)
        {
            BatchedCase kernel = Get("H4Kv2_Causal_Packed");
            float[] query = TestData.Uniform(1, 10 * 4 * 16), key = TestData.Uniform(2, 10 * 2 * 16);
            float[] output = Enumerable.Repeat(123f, query.Length).ToArray();
            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => kernel.Call(query, key, key, output, batch, default, default, starts, default));
            Assert.True(exception.ParamName == parameter, $"{why}: expected '{parameter}', got '{exception.ParamName}'");
            Assert.All(output, static x => Assert.Equal(123f, x));
        }

        private static int[] Starts(int[] lengths)
        {
            int[] starts = new int[lengths.Length + 1];
            for (int b = 0; b < lengths.Length; b++)
            {
                starts[b + 1] = starts[b] + lengths[b];
            }

            return starts;
        }

        [Fact]
        public void OutputOverlappingAnInput_Throws_AndWritesNothing()
        {
            BatchedCase kernel = Get("H8Kv2_CausalWindow_BothLengths");
            float[] buffer = TestData.Uniform(4, 2 * 10 * 8 * 16);
            float[] before = (float[])buffer.Clone();
            float[] key = TestData.Uniform(5, 2 * 10 * 2 * 16);
            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() =>
                kernel.Call(buffer.AsSpan(0, 10 * 8 * 16), key.AsSpan(0, 10 * 2 * 16), key.AsSpan(0, 10 * 2 * 16), buffer.AsSpan(16, 10 * 8 * 16), 1, new[] { 10 }, new[] { 10 }, default, default));
            Assert.Equal("output", exception.ParamName);
            Assert.Equal(before, buffer);
        }

        [Fact]
        public void SteadyStateBatchedCall_AllocatesNothing()
        {
            // [B, N, H, d] with padding: the gather buffers come from the shared pool.
            BatchedCase kernel = Get("H8Kv2_CausalWindow_BothLengths");
            float[] query = TestData.Uniform(6, 3 * 40 * 8 * 16), key = TestData.Uniform(7, 3 * 40 * 2 * 16), output = new float[query.Length];
            int[] keyLengths = { 40, 7, 0 }, queryLengths = { 40, 1, 30 };
            Assert.Equal(0, Allocations.InCleanestWindow(() => kernel.Call(query, key, key, output, 3, keyLengths, queryLengths, default, default)));
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
                        key.AsSpan(Offset(kernel.Layout, d, b, h, j, kernel.KeyValueHeads, keys), d).Fill(float.NaN);
                        value.AsSpan(Offset(kernel.Layout, d, b, h, j, kernel.KeyValueHeads, keys), d).Fill(float.NaN);
                    }
                }
            }

            // Run-time masks: about a fifth of the keys dropped (all of them in item 1), about a third of the pairs hidden
            // (every key of row 2). A dropped key's key and value rows are NaN, so reading one shows.
            bool[] keyMask = kernel.HasKeyMask ? new bool[batch * keys] : Array.Empty<bool>();
            for (int i = 0; i < keyMask.Length; i++)
            {
                keyMask[i] = i / Math.Max(1, keys) != 1 && random.Next(5) != 0;
                if (!keyMask[i])
                {
                    int b = i / keys, j = i % keys;
                    for (int h = 0; h < kernel.KeyValueHeads; h++)
                    {
                        key.AsSpan(Offset(kernel.Layout, d, b, h, j, kernel.KeyValueHeads, keys), d).Fill(float.NaN);
                        value.AsSpan(Offset(kernel.Layout, d, b, h, j, kernel.KeyValueHeads, keys), d).Fill(float.PositiveInfinity);
                    }
                }
            }

            bool[] mask = kernel.HasMask ? new bool[(random.Next(2) == 0 ? batch : 1) * queries * keys] : Array.Empty<bool>();
            for (int i = 0; i < mask.Length; i++)
            {
                mask[i] = (i / keys) % queries != 2 && random.Next(3) != 0;
            }

            float[] output = TestData.Poisoned(query.Length);
            double[] expected = new double[query.Length];
            float[] logSumExp = kernel.HasLogSumExp ? TestData.Poisoned(batch * kernel.Heads * queries) : Array.Empty<float>();
            double[] expectedLogSumExp = new double[logSumExp.Length];
            float[] plain = new float[query.Length], plainLogSumExp = new float[logSumExp.Length];
            kernel.Call(query, key, value, output, batch, keyLengths, queryLengths, default, logSumExp, keyMask, mask);
            ReferenceAttention.ComputeBatched(kernel.Spec, kernel.Layout, kernel.Heads, kernel.KeyValueHeads, batch, query, key, value, expected, keyLengths, queryLengths,
                logSumExp: expectedLogSumExp, keyMask: keyMask, mask: mask);
            PlainFloatAttention.ComputeBatched(kernel.Spec, kernel.Layout, kernel.Heads, kernel.KeyValueHeads, batch, query, key, value, plain, keyLengths, queryLengths,
                logSumExp: plainLogSumExp, keyMask: keyMask, mask: mask);
            if (LogSumExpProblem(logSumExp, expectedLogSumExp, plainLogSumExp) is { } lseProblem)
            {
                return lseProblem;
            }

            for (int b = 0; b < batch && queryLengths.Length > 0; b++)
            {
                for (int h = 0; h < kernel.Heads; h++)
                {
                    for (int i = queryLengths[b]; i < queries; i++)
                    {
                        if (output.AsSpan(Offset(kernel.Layout, d, b, h, i, kernel.Heads, queries), d).ContainsAnyExcept(0f))
                        {
                            return $"padding row (item {b}, head {h}, position {i}) is not exactly zero";
                        }
                    }
                }
            }

            return Accuracy.Check(output, expected, plain).Problem;
        }

        /// <summary>
        /// The log-sum-exps under the accuracy criterion (against the plain float32 twin's), exactly -inf where the
        /// reference's is (no key, padding) and NaN where it is NaN.
        /// </summary>
        private static string? LogSumExpProblem(float[] actual, double[] expected, float[] plain) =>
            Accuracy.Check(actual, expected, plain).Problem is { } problem ? "log-sum-exp " + problem : null;

        /// <summary>
        /// What log-sum-exp is for: attention over a cache split in two, merged from the two partial results with their
        /// log-sum-exps, equals attention over the whole cache (o = (e^l1 o1 + e^l2 o2) / (e^l1 + e^l2)).
        /// </summary>
        [Fact]
        public void LogSumExp_MergesAttentionOverASplitCache()
        {
            BatchedCase kernel = Get("H1Kv1_Full_Lse");
            const int d = 32, queries = 7, keys = 300, split = 123;
            var random = new Random(3);
            float[] query = Fill(random, queries * d), key = Fill(random, keys * d), value = Fill(random, keys * d);
            float[] whole = new float[query.Length], first = new float[query.Length], second = new float[query.Length];
            float[] wholeLse = new float[queries], firstLse = new float[queries], secondLse = new float[queries];
            kernel.Call(query, key, value, whole, 1, default, default, default, wholeLse);
            kernel.Call(query, key.AsSpan(0, split * d), value.AsSpan(0, split * d), first, 1, default, default, default, firstLse);
            kernel.Call(query, key.AsSpan(split * d), value.AsSpan(split * d), second, 1, default, default, default, secondLse);
            for (int i = 0; i < queries; i++)
            {
                double m = Math.Max(firstLse[i], secondLse[i]);
                double w1 = Math.Exp(firstLse[i] - m), w2 = Math.Exp(secondLse[i] - m);
                Assert.True(Math.Abs(m + Math.Log(w1 + w2) - wholeLse[i]) <= 1e-5, $"row {i}: merged log-sum-exp differs");
                for (int c = 0; c < d; c++)
                {
                    double merged = (w1 * first[i * d + c] + w2 * second[i * d + c]) / (w1 + w2);
                    Assert.True(Math.Abs(merged - whole[i * d + c]) <= 1e-5, $"row {i}, column {c}: merged {merged}, whole {whole[i * d + c]}");
                }
            }
        }

        /// <summary>Row (item, head, position) of a span with headCount heads and positions rows per item, written out independently of the runtime.</summary>
        private static int Offset(AttentionLayout layout, int d, int item, int head, int position, int headCount, int positions) =>
            layout == AttentionLayout.BatchHeadSeqDim
                ? ((item * headCount + head) * positions + position) * d
                : ((item * positions + position) * headCount + head) * d;

        /// <summary>
        /// Log-sum-exp on the paths the other tests do not reach: a decode row long enough (3000 keys) to be split into key
        /// chunks and merged; a row with a NaN query, whose log-sum-exp must be NaN like its output (never -inf, which
        /// would read as "no keys" to a caller merging partial results); and a masked kernel on two threads.
        /// </summary>
        [Fact]
        public void LogSumExp_OnChunkedRows_NaNRows_AndTwoThreads()
        {
            BatchedCase full = Get("H1Kv1_Full_Lse");
            var random = new Random(17);
            float[] query = Fill(random, 2 * 32), key = Fill(random, 3000 * 32), value = Fill(random, 3000 * 32);
            query[40] = float.NaN; // row 1
            float[] output = TestData.Poisoned(query.Length), lse = TestData.Poisoned(2);
            double[] expected = new double[query.Length], expectedLse = new double[2];
            float[] plain = new float[query.Length], plainLse = new float[2];
            full.Call(query, key, value, output, 1, default, default, default, lse);
            ReferenceAttention.ComputeBatched(full.Spec, full.Layout, 1, 1, 1, query, key, value, expected, logSumExp: expectedLse);
            PlainFloatAttention.ComputeBatched(full.Spec, full.Layout, 1, 1, 1, query, key, value, plain, logSumExp: plainLse);
            Assert.True(LogSumExpProblem(lse, expectedLse, plainLse) is null, LogSumExpProblem(lse, expectedLse, plainLse));
            Assert.True(double.IsNaN(expectedLse[1]) && float.IsNaN(lse[1]), $"NaN row: log-sum-exp {lse[1]}");
            Accuracy.Measure measure = Accuracy.Check(output.AsSpan(0, 32), expected.AsSpan(0, 32), plain.AsSpan(0, 32));
            Assert.True(measure.Problem is null, measure.Problem);

            // A masked kernel with log-sum-exp, enough work for two threads: the same bits as one thread.
            BatchedCase masked = Get("H4Kv2_Causal_KeyLengths_KeyMask_Lse");
            const int batch = 3, n = 300, d = 16;
            float[] q = Fill(random, batch * n * 4 * d), k = Fill(random, batch * n * 2 * d);
            int[] keyLengths = { 300, 150, 299 };
            bool[] keyMask = Enumerable.Range(0, batch * n).Select(_ => random.Next(5) != 0).ToArray();
            (float[] oneOut, float[] oneLse) = RunMasked(1);
            long before = KernelWorkers.ParallelRuns;
            (float[] twoOut, float[] twoLse) = (oneOut, oneLse);
            for (int attempt = 0; attempt < 50 && KernelWorkers.ParallelRuns == before; attempt++)
            {
                (twoOut, twoLse) = RunMasked(2);
            }

            Assert.True(Environment.ProcessorCount < 2 || KernelWorkers.ParallelRuns > before, "no masked call ran on more than one thread");
            Assert.Equal(oneOut, twoOut);
            Assert.Equal(oneLse, twoLse);

            (float[] Output, float[] Lse) RunMasked(int degree)
            {
                int saved = AttentionThreading.MaxDegreeOfParallelism;
                try
                {
                    AttentionThreading.MaxDegreeOfParallelism = degree;
                    float[] o = TestData.Poisoned(q.Length), l = TestData.Poisoned(batch * 4 * n);
                    masked.Call(q, k, k, o, batch, keyLengths, default, default, l, keyMask);
                    return (o, l);
                }
                finally
                {
                    AttentionThreading.MaxDegreeOfParallelism = saved;
                }
            }
        }

        [Fact]
        public void RunTimeMasks_OnTiledThreadedRows_AndChunkedLongRows_MatchReference()
        {
            BatchedCase kernel = Get("H1Kv1_Causal_KeyMask_Mask_Lse");
            var random = new Random(29);
            const int d = 32;

            // A masked decode step over 5000 keys: the rows are long enough to be split into key chunks; keyMask drops 40%
            // of the keys at random and a run of 700 (whole blocks, never read), the dense mask hides 10% more.
            (int queries, int keys) = (2, 5000);
            float[] query = Fill(random, queries * d), key = Fill(random, keys * d), value = Fill(random, keys * d);
            bool[] keyMask = Enumerable.Range(0, keys).Select(j => (j < 1000 || j >= 1700) && random.Next(10) >= 4).ToArray();
            bool[] mask = Enumerable.Range(0, queries * keys).Select(_ => random.Next(10) != 0).ToArray();
            for (int j = 1000; j < 1700; j++)
            {
                value[j * d] = float.NaN; // a dropped key's value is never read, or it would poison the row
            }

            Check(query, key, value, keyMask, mask, queries, keys, degree: 2);

            // A masked prefill of one (item, head) pair: tiles, spread over two threads, the same bits as one thread.
            (queries, keys) = (600, 600);
            query = Fill(random, queries * d);
            key = Fill(random, keys * d);
            value = Fill(random, keys * d);
            keyMask = Enumerable.Range(0, keys).Select(_ => random.Next(10) >= 4).ToArray();
            mask = Enumerable.Range(0, queries * keys).Select(i => (i % keys) / 150 == (i / keys) / 150).ToArray(); // block-diagonal: 4 documents
            (float[] one, float[] oneLse) = Check(query, key, value, keyMask, mask, queries, keys, degree: 1);
            long before = KernelWorkers.ParallelRuns;
            (float[] two, float[] twoLse) = (one, oneLse);
            for (int attempt = 0; attempt < 50 && KernelWorkers.ParallelRuns == before; attempt++)
            {
                (two, twoLse) = Check(query, key, value, keyMask, mask, queries, keys, degree: 2);
            }

            Assert.True(Environment.ProcessorCount < 2 || KernelWorkers.ParallelRuns > before, "no masked prefill ran on more than one thread");
            Assert.Equal(one, two);
            Assert.Equal(oneLse, twoLse);

            (float[] Output, float[] Lse) Check(float[] q, float[] k, float[] v, bool[] km, bool[] m, int nq, int nk, int degree)
            {
                int saved = AttentionThreading.MaxDegreeOfParallelism;
                float[] output = TestData.Poisoned(q.Length), lse = TestData.Poisoned(nq);
                try
                {
                    AttentionThreading.MaxDegreeOfParallelism = degree;
                    kernel.Call(q, k, v, output, 1, default, default, default, lse, km, m);
                }
                finally
                {
                    AttentionThreading.MaxDegreeOfParallelism = saved;
                }

                double[] expected = new double[q.Length], expectedLse = new double[nq];
                float[] plain = new float[q.Length], plainLse = new float[nq];
                ReferenceAttention.ComputeBatched(kernel.Spec, kernel.Layout, 1, 1, 1, q, k, v, expected, logSumExp: expectedLse, keyMask: km, mask: m);
                PlainFloatAttention.ComputeBatched(kernel.Spec, kernel.Layout, 1, 1, 1, q, k, v, plain, logSumExp: plainLse, keyMask: km, mask: m);
                Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
                Assert.True(measure.Problem is null, $"{nq} x {nk}: {measure.Problem}");
                Assert.True(LogSumExpProblem(lse, expectedLse, plainLse) is null, LogSumExpProblem(lse, expectedLse, plainLse));
                return (output, lse);
            }
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
