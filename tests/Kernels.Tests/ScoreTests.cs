using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Engine;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// The score modifiers of issue 13 against the double reference: softcap, ALiBi (standard and per-call slopes),
    /// additive bias (three shapes, -inf entries), sinks, a run-time scale, and packed batches with Nq != Nk per item,
    /// combined with every static mask part and the run-time lengths and masks, on square, rectangular, empty and long
    /// (key-chunked) shapes. Run on every instruction-set path by .ci/run.
    /// </summary>
    public sealed class ScoreTests
    {
        /// <summary>Every span of a batched call; the ones a kernel does not declare stay empty.</summary>
        public sealed class Call
        {
            public float[] Query = Array.Empty<float>(), Key = Array.Empty<float>(), Value = Array.Empty<float>(), Output = Array.Empty<float>();
            public int Batch;
            public int[] KeyLengths = Array.Empty<int>(), QueryLengths = Array.Empty<int>(), QueryStarts = Array.Empty<int>(), KeyStarts = Array.Empty<int>();
            public bool[] KeyMask = Array.Empty<bool>(), Mask = Array.Empty<bool>();
            public float[] LogSumExp = Array.Empty<float>(), Slopes = Array.Empty<float>(), Bias = Array.Empty<float>(), Sinks = Array.Empty<float>();
            public float Scale;
        }

        public sealed record Case(string Name, int Heads, int KeyValueHeads, AttentionLayout Layout, RuntimeParameter Parameters, Action<Call> Run)
        {
            public AttentionSpec Spec => SpecOf(Name);

            public bool Has(RuntimeParameter parameter) => (Parameters & parameter) == parameter;

            public override string ToString() => Name;
        }

        private const RuntimeParameter Lengths = RuntimeParameter.KeyLengths | RuntimeParameter.QueryLengths;
        private const RuntimeParameter Lse = RuntimeParameter.LogSumExp;
        private const RuntimeParameter PackedPair = RuntimeParameter.QuerySequenceStarts | RuntimeParameter.KeySequenceStarts;

        private static readonly Case[] Cases =
        {
            new("Alibi_Causal_Lengths", 4, 2, AttentionLayout.BatchSeqHeadDim, Lengths | Lse,
                c => ScoreKernels.Alibi_Causal_Lengths(c.Query, c.Key, c.Value, c.Output, c.Batch, c.KeyLengths, c.QueryLengths, c.LogSumExp)),
            new("Alibi_WindowGlobals_Slopes", 6, 6, AttentionLayout.BatchSeqHeadDim, Lse | RuntimeParameter.AlibiSlopes,
                c => ScoreKernels.Alibi_WindowGlobals_Slopes(c.Query, c.Key, c.Value, c.Output, c.Batch, c.LogSumExp, c.Slopes)),
            new("Alibi_WindowGlobals", 6, 6, AttentionLayout.BatchSeqHeadDim, Lse,
                c => ScoreKernels.Alibi_WindowGlobals(c.Query, c.Key, c.Value, c.Output, c.Batch, c.LogSumExp)),
            new("Bias_Full_Masks", 2, 2, AttentionLayout.BatchSeqHeadDim, RuntimeParameter.KeyMask | RuntimeParameter.Mask | Lse | RuntimeParameter.Bias,
                c => ScoreKernels.Bias_Full_Masks(c.Query, c.Key, c.Value, c.Output, c.Batch, c.KeyMask, c.Mask, c.LogSumExp, c.Bias)),
            new("BiasSinks_Causal_Bhsd_Lengths", 4, 1, AttentionLayout.BatchHeadSeqDim, Lengths | Lse | RuntimeParameter.Bias | RuntimeParameter.Sinks,
                c => ScoreKernels.BiasSinks_Causal_Bhsd_Lengths(c.Query, c.Key, c.Value, c.Output, c.Batch, c.KeyLengths, c.QueryLengths, c.LogSumExp, c.Bias, c.Sinks)),
            new("BiasSinks_Causal_Bhsd_Lengths_Reversed", 4, 1, AttentionLayout.BatchHeadSeqDim, Lengths | Lse | RuntimeParameter.Bias | RuntimeParameter.Sinks,
                c => ScoreKernels.BiasSinks_Causal_Bhsd_Lengths_Reversed(c.Query, c.Key, c.Value, c.Output, c.Batch, c.Sinks, c.Bias, c.LogSumExp, c.QueryLengths, c.KeyLengths)),
            new("BiasSinks_Causal_Bhsd_Lengths_Attributes", 4, 1, AttentionLayout.BatchHeadSeqDim, Lengths | Lse | RuntimeParameter.Bias | RuntimeParameter.Sinks,
                c => ScoreKernels.BiasSinks_Causal_Bhsd_Lengths_Attributes(c.Query, c.Key, c.Value, c.Output, c.Batch, c.QueryLengths, c.Bias, c.KeyLengths, c.Sinks, c.LogSumExp)),
            new("Sinks_CausalWindow_KeyLengths", 4, 2, AttentionLayout.BatchSeqHeadDim, RuntimeParameter.KeyLengths | Lse | RuntimeParameter.Sinks,
                c => ScoreKernels.Sinks_CausalWindow_KeyLengths(c.Query, c.Key, c.Value, c.Output, c.Batch, c.KeyLengths, c.LogSumExp, c.Sinks)),
            new("Sinks_KeyMask", 2, 2, AttentionLayout.BatchSeqHeadDim, RuntimeParameter.KeyMask | Lse | RuntimeParameter.Sinks,
                c => ScoreKernels.Sinks_KeyMask(c.Query, c.Key, c.Value, c.Output, c.Batch, c.KeyMask, c.LogSumExp, c.Sinks)),
            new("PackedPair_Causal", 4, 2, AttentionLayout.BatchSeqHeadDim, Lse | PackedPair,
                c => ScoreKernels.PackedPair_Causal(c.Query, c.Key, c.Value, c.Output, c.Batch, c.LogSumExp, c.QueryStarts, c.KeyStarts)),
            new("PackedPair_Everything", 4, 4, AttentionLayout.BatchSeqHeadDim, Lse | PackedPair | RuntimeParameter.Scale | RuntimeParameter.Sinks,
                c => ScoreKernels.PackedPair_Everything(c.Query, c.Key, c.Value, c.Output, c.Batch, c.LogSumExp, c.QueryStarts, c.KeyStarts, c.Scale, c.Sinks)),
            new("Everything", 4, 2, AttentionLayout.BatchSeqHeadDim,
                Lengths | RuntimeParameter.KeyMask | RuntimeParameter.Mask | Lse | RuntimeParameter.Scale | RuntimeParameter.AlibiSlopes | RuntimeParameter.Bias | RuntimeParameter.Sinks,
                c => ScoreKernels.Everything(c.Query, c.Key, c.Value, c.Output, c.Batch, c.KeyLengths, c.QueryLengths, c.KeyMask, c.Mask, c.LogSumExp, c.Scale, c.Slopes, c.Bias, c.Sinks)),
            new("Softcap_Full", 2, 2, AttentionLayout.BatchSeqHeadDim, Lse,
                c => ScoreKernels.Softcap_Full(c.Query, c.Key, c.Value, c.Output, c.Batch, c.LogSumExp)),
        };

        /// <summary>Square, rectangular, one-row, empty and long (split into key chunks) shapes of a padded batch.</summary>
        private static readonly (int Queries, int Keys)[] Shapes = { (1, 1), (17, 17), (65, 100), (100, 65), (130, 130), (3, 0), (2, 2100) };

        /// <summary>Packed items (Lq, Lk): Lq below, equal to and above Lk, empty queries, empty keys.</summary>
        private static readonly (int Queries, int Keys)[] PackedItems = { (5, 9), (0, 4), (70, 70), (1, 130), (33, 20), (3, 0), (66, 200) };

        /// <summary>The spec of a ScoreKernels method, from its attributes (the span form: the tensor overload carries none).</summary>
        internal static AttentionSpec SpecOf(string name) => KernelCatalog.SpecOf(
            typeof(ScoreKernels).GetMethods().Single(m => m.Name == name && m.GetCustomAttributes(typeof(AttentionKernelAttribute), false).Length > 0));

        internal static Case Get(string name) => Cases.Single(c => c.Name == name);

        /// <summary>Every batched score kernel with its call (the call fuzzer picks from them).</summary>
        internal static IReadOnlyList<Case> All => Cases;

        public static TheoryData<string> CaseNames() => new(Cases.Select(static c => c.Name));

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void Kernel_MatchesReference_OnEveryShape(string name)
        {
            Case kernel = Cases.Single(c => c.Name == name);
            var failures = new List<string>();
            if (kernel.Has(RuntimeParameter.QuerySequenceStarts))
            {
                for (int seed = 0; seed < 3; seed++)
                {
                    (int, int)[] items = PackedItems.Skip(seed).Concat(PackedItems.Take(seed)).ToArray();
                    Compare(kernel, MakeCall(kernel, 0, 0, seed, items), $"packed, rotation {seed}", failures);
                }
            }
            else
            {
                foreach ((int queries, int keys) in Shapes)
                {
                    Compare(kernel, MakeCall(kernel, queries, keys, queries * 31 + keys, null), $"Nq={queries} Nk={keys}", failures);
                }
            }

            Assert.True(failures.Count == 0, $"{name}: " + string.Join("; ", failures.Take(6)));
        }

        /// <summary>Random inputs for every parameter the case declares (B = 2 padded, or the packed items).</summary>
        internal static Call MakeCall(Case kernel, int queries, int keys, int seed, (int Queries, int Keys)[]? items)
        {
            var random = new Random(seed);
            int d = kernel.Spec.HeadDimension, h = kernel.Heads, kv = kernel.KeyValueHeads;
            var call = new Call();
            int totalQueries, totalKeys;
            if (items is not null)
            {
                call.Batch = items.Length;
                call.QueryStarts = new int[items.Length + 1];
                call.KeyStarts = new int[items.Length + 1];
                for (int b = 0; b < items.Length; b++)
                {
                    call.QueryStarts[b + 1] = call.QueryStarts[b] + items[b].Queries;
                    call.KeyStarts[b + 1] = call.KeyStarts[b] + items[b].Keys;
                }

                (totalQueries, totalKeys) = (call.QueryStarts[^1], call.KeyStarts[^1]);
            }
            else
            {
                call.Batch = 2;
                (totalQueries, totalKeys) = (2 * queries, 2 * keys);
                if (kernel.Has(RuntimeParameter.KeyLengths))
                {
                    call.KeyLengths = new[] { keys, random.Next(keys + 1) };
                }

                if (kernel.Has(RuntimeParameter.QueryLengths))
                {
                    call.QueryLengths = new[] { random.Next(queries + 1), queries };
                }

                if (kernel.Has(RuntimeParameter.KeyMask))
                {
                    call.KeyMask = Enumerable.Range(0, 2 * keys).Select(_ => random.NextDouble() < 0.75).ToArray();
                }

                if (kernel.Has(RuntimeParameter.Mask))
                {
                    int area = queries * keys;
                    call.Mask = Enumerable.Range(0, seed % 2 == 0 ? area : 2 * area).Select(_ => random.NextDouble() < 0.85).ToArray();
                }

                if (kernel.Has(RuntimeParameter.Bias))
                {
                    // [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk] by seed; a few -inf entries hide their keys.
                    int area = queries * keys;
                    int length = (seed % 3) switch { 0 => area, 1 => 2 * area, _ => 2 * h * area };
                    call.Bias = Enumerable.Range(0, length).Select(_ => random.NextDouble() < 0.03 ? float.NegativeInfinity : (float)(random.NextDouble() * 4 - 2)).ToArray();
                }
            }

            call.Query = TestData.Uniform(seed + 1, totalQueries * h * d, 2f);
            call.Key = TestData.Uniform(seed + 2, totalKeys * kv * d, 2f);
            call.Value = TestData.Uniform(seed + 3, totalKeys * kv * d);
            call.Output = TestData.Poisoned(call.Query.Length);
            if (kernel.Has(RuntimeParameter.LogSumExp))
            {
                call.LogSumExp = TestData.Poisoned(totalQueries * h);
            }

            if (kernel.Has(RuntimeParameter.Scale))
            {
                call.Scale = (float)(0.05 + random.NextDouble() * 0.4);
            }

            if (kernel.Has(RuntimeParameter.AlibiSlopes))
            {
                call.Slopes = Enumerable.Range(0, seed % 2 == 0 ? h : call.Batch * h).Select(_ => (float)(random.NextDouble() - 0.2)).ToArray();
            }

            if (kernel.Has(RuntimeParameter.Sinks))
            {
                call.Sinks = Enumerable.Range(0, h).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
            }

            return call;
        }

        /// <summary>The double reference of a call.</summary>
        internal static (double[] Output, double[] LogSumExp) Reference(Case kernel, Call c)
        {
            double[] output = new double[c.Output.Length];
            double[] logSumExp = new double[c.LogSumExp.Length];
            ReferenceAttention.ComputeBatched(kernel.Spec, kernel.Layout, kernel.Heads, kernel.KeyValueHeads, c.Batch, c.Query, c.Key, c.Value, output,
                c.KeyLengths, c.QueryLengths, default, logSumExp, c.KeyMask, c.Mask, c.QueryStarts, c.KeyStarts, c.Scale, c.Slopes, c.Bias, c.Sinks);
            return (output, logSumExp);
        }

        /// <summary>The plain float32 twin of a call (the yardstick of <see cref="Accuracy"/>).</summary>
        internal static (float[] Output, float[] LogSumExp) Plain(Case kernel, Call c)
        {
            float[] output = new float[c.Output.Length];
            float[] logSumExp = new float[c.LogSumExp.Length];
            PlainFloatAttention.ComputeBatched(kernel.Spec, kernel.Layout, kernel.Heads, kernel.KeyValueHeads, c.Batch, c.Query, c.Key, c.Value, output,
                c.KeyLengths, c.QueryLengths, default, logSumExp, c.KeyMask, c.Mask, c.QueryStarts, c.KeyStarts, c.Scale, c.Slopes, c.Bias, c.Sinks);
            return (output, logSumExp);
        }

        private static void Compare(Case kernel, Call call, string shape, List<string> failures)
        {
            kernel.Run(call);
            (double[] expected, double[] expectedLse) = Reference(kernel, call);
            (float[] plain, float[] plainLse) = Plain(kernel, call);
            if (Accuracy.Check(call.Output, expected, plain).Problem is { } problem)
            {
                failures.Add($"{shape}: output {problem}");
            }

            if (Accuracy.Check(call.LogSumExp, expectedLse, plainLse).Problem is { } lseProblem)
            {
                failures.Add($"{shape}: log-sum-exp {lseProblem}");
            }
        }
    }
}
