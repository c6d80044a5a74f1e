using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using KernelGen.Kernels.Tests;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Every run-time parameter combination the generator accepts: the 32 subsets of keyLengths, queryLengths, keyMask,
    /// mask and logSumExp, plus packed sequenceStarts with and without logSumExp. Each is declared on a batched kernel
    /// (mask specs, head counts and layouts vary), compiled in memory, loaded, and run against
    /// <c>ReferenceAttention.ComputeBatched</c> with uneven lengths (0 and 1 included) and random masks.
    /// </summary>
    public sealed class BatchedCombinationTests
    {
        private static readonly string[] Optional = { "keyLengths", "queryLengths", "keyMask", "mask", "logSumExp" };

        private sealed record Combination(string[] Parameters, int HeadDimension, int Heads, int KeyValueHeads, int Layout, string MaskAttributes, AttentionSpec Spec)
        {
            public bool Has(string parameter) => Parameters.Contains(parameter);
        }

        [Fact]
        public void EveryAcceptedParameterCombination_MatchesTheReference()
        {
            List<Combination> combinations = Combinations();
            MethodInfo[] calls = CompileAndLoad(combinations);
            var failures = new List<string>();
            for (int c = 0; c < combinations.Count; c++)
            {
                for (int trial = 0; trial < 3; trial++)
                {
                    string? problem = Check(combinations[c], calls[c], new Random(c * 10 + trial));
                    if (problem is not null)
                    {
                        failures.Add($"[{string.Join(", ", combinations[c].Parameters)}] {combinations[c].MaskAttributes.Replace("\n", " ")} H={combinations[c].Heads}/{combinations[c].KeyValueHeads} layout {combinations[c].Layout}: {problem}");
                    }
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(8)));
        }

        private static List<Combination> Combinations()
        {
            string[] masks = { "", "[CausalMask]", "[SlidingWindow(9, 4)]\n[GlobalTokens(0, 7)]", "[CausalMask]\n[SlidingWindow(70, 0)]\n[GlobalTokens(1)]" };
            (int Heads, int KeyValueHeads)[] heads = { (1, 1), (4, 2), (4, 1), (2, 2) };
            var list = new List<Combination>();
            for (int subset = 0; subset < 1 << Optional.Length; subset++)
            {
                string[] parameters = Optional.Where((_, i) => (subset >> i & 1) != 0).ToArray();
                list.Add(Make(parameters, subset));
            }

            list.Add(Make(new[] { "sequenceStarts" }, 32));
            list.Add(Make(new[] { "logSumExp", "sequenceStarts" }, 33));
            return list;

            Combination Make(string[] parameters, int index)
            {
                // Spread the spec choices across the subsets rather than tying them to its bits.
                int mix = index * 2654435 >> 3;
                string maskAttributes = masks[mix % masks.Length];
                (int h, int g) = heads[mix / 5 % heads.Length];
                int layout = parameters.Contains("sequenceStarts") ? 0 : mix / 7 % 2;
                int d = index % 3 == 0 ? 16 : 8;
                var spec = new AttentionSpec(d, causal: maskAttributes.Contains("Causal"),
                    window: maskAttributes.Contains("SlidingWindow(9") ? new AttentionWindow(9, 4) : maskAttributes.Contains("SlidingWindow(70") ? new AttentionWindow(70, 0) : null,
                    globalPositions: maskAttributes.Contains("GlobalTokens(0, 7)") ? new[] { 0, 7 } : maskAttributes.Contains("GlobalTokens(1)") ? new[] { 1 } : null);
                return new Combination(parameters, d, h, g, layout, maskAttributes, spec);
            }
        }

        /// <summary>Runs one combination on B = 3 items (uneven lengths, random masks) and compares with the reference.</summary>
        private static string? Check(Combination kernel, MethodInfo call, Random random)
        {
            const int batch = 3;
            int d = kernel.HeadDimension;
            bool packed = kernel.Has("sequenceStarts");
            int queries = packed ? 0 : random.Next(1, 40), keys = packed ? 0 : random.Next(1, 90);
            int[] starts = Array.Empty<int>();
            if (packed)
            {
                int[] lengths = { random.Next(0, 2), random.Next(2, 60), random.Next(0, 90) };
                starts = new[] { 0, lengths[0], lengths[0] + lengths[1], lengths.Sum() };
                queries = keys = starts[3];
            }

            int items = packed ? 1 : batch;
            float[] query = PropertyTests.Uniform(random, items * queries * kernel.Heads * d);
            float[] key = PropertyTests.Uniform(random, items * keys * kernel.KeyValueHeads * d);
            float[] value = PropertyTests.Uniform(random, key.Length);
            int[] keyLengths = kernel.Has("keyLengths") ? new[] { keys, Math.Min(1, keys), random.Next(0, keys + 1) } : Array.Empty<int>();
            int[] queryLengths = kernel.Has("queryLengths") ? new[] { 0, queries, random.Next(0, queries + 1) } : Array.Empty<int>();
            bool[] keyMask = kernel.Has("keyMask") ? Enumerable.Range(0, batch * keys).Select(_ => random.Next(4) != 0).ToArray() : Array.Empty<bool>();
            bool[] mask = kernel.Has("mask") ? Enumerable.Range(0, (random.Next(2) == 0 ? batch : 1) * queries * keys).Select(_ => random.Next(3) != 0).ToArray() : Array.Empty<bool>();
            float[] logSumExp = kernel.Has("logSumExp") ? new float[kernel.Heads * (packed ? queries : batch * queries)] : Array.Empty<float>();
            logSumExp.AsSpan().Fill(float.NaN);
            float[] output = new float[query.Length];
            output.AsSpan().Fill(float.NaN);

            call.Invoke(null, new object[] { query, key, value, output, batch, keyLengths, queryLengths, keyMask, mask, logSumExp, starts });

            double[] expected = new double[output.Length];
            double[] expectedLogSumExp = new double[logSumExp.Length];
            ReferenceAttention.ComputeBatched(kernel.Spec, (AttentionLayout)kernel.Layout, kernel.Heads, kernel.KeyValueHeads, batch, query, key, value, expected,
                keyLengths, queryLengths, starts, expectedLogSumExp, keyMask, mask);
            float[] plain = new float[output.Length], plainLogSumExp = new float[logSumExp.Length];
            PlainFloatAttention.ComputeBatched(kernel.Spec, (AttentionLayout)kernel.Layout, kernel.Heads, kernel.KeyValueHeads, batch, query, key, value, plain,
                keyLengths, queryLengths, starts, plainLogSumExp, keyMask, mask);
            if (Accuracy.Check(output, expected, plain).Problem is { } problem)
            {
                return $"Nq={queries} Nk={keys}: output {problem}";
            }

            if (Accuracy.Check(logSumExp, expectedLogSumExp, plainLogSumExp).Problem is { } lseProblem)
            {
                return $"Nq={queries} Nk={keys}: log-sum-exp {lseProblem}";
            }

            return null;
        }

        /// <summary>One kernel per combination plus an array wrapper taking every parameter (the absent ones are ignored).</summary>
        private static MethodInfo[] CompileAndLoad(List<Combination> combinations)
        {
            var source = new StringBuilder("using System;\nusing KernelGen;\nnamespace Combinations;\npublic static partial class Kernels\n{\n");
            for (int c = 0; c < combinations.Count; c++)
            {
                Combination kernel = combinations[c];
                string layout = kernel.Layout == 1 ? ", Layout = AttentionLayout.BatchHeadSeqDim" : string.Empty;
                source.Append($"    [AttentionKernel({kernel.HeadDimension}, Heads = {kernel.Heads}, KeyValueHeads = {kernel.KeyValueHeads}{layout})]\n");
                if (kernel.MaskAttributes.Length > 0)
                {
                    source.Append("    ").Append(kernel.MaskAttributes.Replace("\n", "\n    ")).Append('\n');
                }

                string declared = string.Concat(kernel.Parameters.Select(p => ", " + p switch
                {
                    "keyMask" or "mask" => "ReadOnlySpan<bool> ",
                    "logSumExp" => "Span<float> ",
                    _ => "ReadOnlySpan<int> ",
                } + p));
                source.Append($"    public static partial void K{c}(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch{declared});\n");
                source.Append($"    public static void Call{c}(float[] q, float[] k, float[] v, float[] o, int batch, int[] keyLengths, int[] queryLengths, bool[] keyMask, bool[] mask, float[] logSumExp, int[] sequenceStarts)\n");
                source.Append($"        => K{c}(q, k, v, o, batch{string.Concat(kernel.Parameters.Select(static p => ", " + p))});\n\n");
            }

            source.Append("}\n");
            Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.Compile(source.ToString());
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
            Assert.Empty(diagnostics);
            using var stream = new MemoryStream();
            var emitted = output.Emit(stream);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(static d => d.Severity == DiagnosticSeverity.Error).Take(5)));
            stream.Position = 0;
            Assembly assembly = new AssemblyLoadContext("combinations", isCollectible: true).LoadFromStream(stream);
            Type type = assembly.GetType("Combinations.Kernels")!;
            return Enumerable.Range(0, combinations.Count).Select(c => type.GetMethod($"Call{c}")!).ToArray();
        }
    }
}
